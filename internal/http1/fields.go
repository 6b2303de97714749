package http1

import "math"

// field records the complete field line whose value starts at p.val and
// whose CR is at end, then applies the meaning of the fields that frame or
// route the request. Names are dispatched on their length first: the six
// fields that matter all have different lengths.
func (p *Parser) field(b []byte, r *Request, end int) error {
	for end > p.val && isSpace(b[end-1]) {
		end--
	}
	name, value := b[p.mark:p.colon], b[p.val:end]
	r.Headers = append(r.Headers, Header{Name: name, Value: value})

	switch len(name) {
	case len("host"):
		if equalFold(name, "host") {
			return p.hostField(value, span{p.val, end})
		}
	case len("expect"):
		if equalFold(name, "expect") {
			p.expectField(value)
		}
	case len("upgrade"):
		if equalFold(name, "upgrade") && len(value) > 0 {
			p.flags |= fUpgrade
		}
	case len("connection"):
		if equalFold(name, "connection") {
			return p.connectionField(value)
		}
	case len("content-length"):
		if equalFold(name, "content-length") {
			return p.lengthField(value)
		}
	case len("transfer-encoding"):
		if equalFold(name, "transfer-encoding") {
			return p.encodingField(value)
		}
	}
	return nil
}

// hostField applies RFC 9112 section 3.2: one Host field, whose value is
// empty or a valid uri-host with an optional port.
func (p *Parser) hostField(v []byte, s span) error {
	if p.flags&fHost != 0 {
		return errDupHost
	}
	if len(v) > 0 && !validAuthority(v, false) {
		return errHost
	}
	p.flags |= fHost
	p.host = s
	return nil
}

// expectField notes the expectation; only 100-continue is known
// (RFC 9110 section 10.1.1). The 417 for others waits for the end of the
// head, so that a malformed head gets its 400 first.
func (p *Parser) expectField(v []byte) {
	if equalFold(v, "100-continue") {
		p.flags |= fExpect100
	} else {
		p.flags |= fExpectOther
	}
}

// connectionField reads the connection options (RFC 9110 section 7.6.1), a
// list of tokens in which empty elements are allowed (section 5.6.1).
func (p *Parser) connectionField(v []byte) error {
	for i := 0; i < len(v); {
		if isSpace(v[i]) || v[i] == ',' {
			i++
			continue
		}
		j := skipToken(v, i)
		if j < 0 {
			return errConnection
		}
		switch {
		case equalFold(v[i:j], "close"):
			p.flags |= fClose
		case equalFold(v[i:j], "keep-alive"):
			p.flags |= fKeepAlive
		case equalFold(v[i:j], "upgrade"):
			p.flags |= fUpgradeOpt
		}
		if i = skipSpace(v, j); i < len(v) && v[i] != ',' {
			return errConnection
		}
	}
	return nil
}

// lengthField applies RFC 9112 section 6.3: Content-Length is 1*DIGIT, sent
// once, never with Transfer-Encoding. A repeated field is refused even when
// the values agree, because a proxy in front may have kept either one.
func (p *Parser) lengthField(v []byte) error {
	if p.flags&fLength != 0 {
		return errDupLength
	}
	n, ok := parseLength(v)
	if !ok {
		return errLength
	}
	if p.flags&fEncoding != 0 {
		return errLengthAndTE
	}
	p.flags |= fLength
	p.length = n
	return nil
}

// parseLength parses 1*DIGIT into an int64, refusing overflow.
func parseLength(v []byte) (int64, bool) {
	if len(v) == 0 {
		return 0, false
	}
	var n int64
	for _, c := range v {
		if !isDigit(c) {
			return 0, false
		}
		d := int64(c - '0')
		if n > (math.MaxInt64-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}

// encodingField applies RFC 9112 section 6.1. lane decodes chunked only,
// and only as the single coding of a single field: anything else a proxy
// might frame differently. A well-formed list of other codings is answered
// with 501 once the head is complete; a malformed one at once with 400.
func (p *Parser) encodingField(v []byte) error {
	switch {
	case p.proto == 10:
		return errEncoding10 // section 6.1: HTTP/1.0 framing would be faulty
	case p.flags&fEncoding != 0:
		return errDupEncoding
	case p.flags&fLength != 0:
		return errLengthAndTE // section 6.3: a smuggling attempt
	}
	p.flags |= fEncoding

	switch {
	case equalFold(v, "chunked"):
		p.flags |= fChunked
	case validCodings(v):
		p.flags |= fCoding
	default:
		return errEncoding
	}
	return nil
}

// validCodings reports whether v is a non-empty list of transfer-coding
// (RFC 9112 section 7), token *( OWS ";" OWS token BWS "=" BWS token ),
// with no empty elements. Quoted parameter values are not accepted.
func validCodings(v []byte) bool {
	i := 0
	for {
		if i = skipToken(v, i); i < 0 {
			return false
		}
		for i = skipSpace(v, i); i < len(v) && v[i] == ';'; i = skipSpace(v, i) {
			if i = skipToken(v, skipSpace(v, i+1)); i < 0 {
				return false
			}
			if i = skipSpace(v, i); i >= len(v) || v[i] != '=' {
				return false
			}
			if i = skipToken(v, skipSpace(v, i+1)); i < 0 {
				return false
			}
		}
		if i == len(v) {
			return true
		}
		if v[i] != ',' {
			return false
		}
		i = skipSpace(v, i+1)
	}
}
