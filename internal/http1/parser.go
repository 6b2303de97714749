package http1

import "bytes"

// Parser states. The request-line states come before stLine, so that
// "p.state < stLine" means the request line is not complete yet.
const (
	stStart   uint8 = iota // before the request line: empty lines are skipped here
	stStartLF              // after the CR of an empty line before the request line
	stMethod               // inside the method
	stTarget               // inside the request-target
	stVersion              // inside the HTTP-version and its CRLF
	stLine                 // at the start of a field line or of the final empty line
	stName                 // inside a field name
	stSpace                // in the whitespace after the colon
	stValue                // inside a field value
	stValueLF              // after the CR ending a field line
	stEndLF                // after the CR of the final empty line
	stDone                 // the head is complete
)

// maxEmptyLines is how many empty lines may come before the request line.
// RFC 9112 section 2.2 asks a server to ignore at least one (some clients
// send a CRLF after a request body); more is not a client in good faith.
const maxEmptyLines = 2

// Flags gathered from the field lines.
const (
	fHost        = 1 << iota // a Host field was seen
	fLength                  // a Content-Length field was seen
	fEncoding                // a Transfer-Encoding field was seen
	fChunked                 // ... and it is exactly "chunked"
	fCoding                  // ... and it is a valid list of other codings: 501
	fClose                   // Connection: close
	fKeepAlive               // Connection: keep-alive
	fUpgradeOpt              // Connection: upgrade
	fUpgrade                 // a non-empty Upgrade field
	fExpect100               // Expect: 100-continue
	fExpectOther             // any other expectation: 417
	fAbsolute                // the target is in absolute-form
	fQuery                   // the target has a '?'
)

// Parser parses one request head incrementally. Its zero value is ready to
// use; [Parser.Reset] prepares it for the next head. A Parser is not safe
// for concurrent use.
//
// All the resumable state is offsets into the head, never slices of it, so
// the caller may move the head to a bigger buffer between calls.
type Parser struct {
	state   uint8
	empties uint8 // empty lines skipped before the request line
	proto   uint8
	flags   uint16

	i     int // next byte to examine
	mark  int // start of the part being scanned: method, target, version or field line
	colon int // index of the colon of the current field line
	val   int // start of the current field value
	count int // field lines so far

	method, target, path, query, authority, host span

	length int64 // the Content-Length value
	n      int   // the head length, once complete
	err    error // the refusal, once refused

	// base and capacity of the buffer of the last call, to notice when the
	// caller moved the head (see rebase). base is cleared once the head is
	// done so that a pooled Parser does not pin the buffer.
	base *byte
	cap  int
}

// Reset prepares p for a new request head.
func (p *Parser) Reset() { *p = Parser{} }

// Parse parses the request head at the start of b into r.
//
// The caller calls it again each time more bytes have arrived, always with
// the same start and a longer b; b may have been moved to a bigger array
// between calls. Parse returns the length of the head (through the blank
// line) when the head is complete, 0 and nil when more bytes are needed, or
// an *Error. Bytes after the head, such as a body or a pipelined request,
// are left alone. Once Parse has returned a length or an error it returns
// the same again until Reset.
//
// Each call examines only the bytes not examined before, so the total cost
// is linear in the head however it is split. Every limit in lim is checked
// against the incomplete line too. Parse does not allocate when r.Headers
// has spare capacity. The first call truncates r.Headers; the other fields
// of r are set when the head is complete.
func (p *Parser) Parse(b []byte, r *Request, lim *Limits) (int, error) {
	switch {
	case p.err != nil:
		return 0, p.err // before stDone: checkHead refuses a complete head
	case p.state == stDone:
		return p.n, nil
	case len(b) == 0:
		return 0, nil
	}
	if p.state == stStart && p.i == 0 {
		r.Headers = r.Headers[:0]
	}
	p.rebase(b, r)

	// Parsing only the bytes within MaxHeadBytes makes the outcome depend
	// on those bytes alone, exactly as if they had arrived one at a time.
	l := resolve(lim)
	view := b
	if len(view) > l.head {
		view = b[:l.head]
	}
	n, err := p.parse(view, r, &l)
	switch {
	case err != nil:
		return 0, p.fail(err)
	case n > 0:
		p.finish(b, r)
		return n, nil
	case len(view) < len(b):
		return 0, p.fail(errHeadLarge)
	}
	return 0, nil
}

func (p *Parser) fail(err error) error {
	p.err = err
	p.base = nil
	return err
}

// rebase points the header views already in r at b when the caller has
// moved the head since the last call. A view made as b[lo:hi] has capacity
// cap(b)-lo, which recovers its offset without storing it.
func (p *Parser) rebase(b []byte, r *Request) {
	if p.base != nil && (p.base != &b[0] || p.cap != cap(b)) {
		for k := range r.Headers {
			h := &r.Headers[k]
			h.Name = b[p.cap-cap(h.Name):][:len(h.Name)]
			h.Value = b[p.cap-cap(h.Value):][:len(h.Value)]
		}
	}
	p.base, p.cap = &b[0], cap(b)
}

// parse goes on from where the last call stopped, within b.
func (p *Parser) parse(b []byte, r *Request, l *limits) (int, error) {
	if p.state < stLine {
		if err := p.requestLine(b, l); err != nil || p.state < stLine {
			return 0, err
		}
	}
	return p.fields(b, r, l)
}

// requestLine scans "method SP request-target SP HTTP-version CRLF"
// (RFC 9112 section 3) from p.i, and checks the line once it is whole.
func (p *Parser) requestLine(b []byte, l *limits) error {
	i, err := p.scanRequestLine(b, l, p.i)
	p.i = i
	return err
}

// scanRequestLine is requestLine from byte i, kept in a register until it
// returns where it stopped. Each case falls through to the next, so a line
// already buffered is scanned in one pass; a partial one resumes at its
// state.
func (p *Parser) scanRequestLine(b []byte, l *limits, i int) (int, error) {
	for {
		switch p.state {
		case stStart:
			if i >= len(b) {
				return i, nil
			}
			switch b[i] {
			case '\r':
				i++
				p.state = stStartLF
				continue
			case '\n':
				return i, errBareLF
			}
			p.mark = i
			p.state = stMethod
			fallthrough

		case stMethod:
			i = tokenEnd(b, i)
			if i >= len(b) {
				return i, nil
			}
			if b[i] != ' ' || i == p.mark {
				return i, lineFault(b[i], errMethod)
			}
			p.method = span{p.mark, i}
			i++
			p.mark = i
			p.state = stTarget
			fallthrough

		case stTarget:
			i = targetEnd(b, i)
			if i-p.mark > l.target {
				return i, errTargetLong
			}
			if i >= len(b) {
				return i, nil
			}
			if b[i] != ' ' || i == p.mark {
				return i, lineFault(b[i], errTarget)
			}
			p.target = span{p.mark, i}
			i++
			p.mark = i
			p.state = stVersion
			fallthrough

		case stVersion:
			var err error
			if i, err = p.version(b, i); err != nil || i-p.mark < len(versionShape) {
				return i, err
			}
			p.state = stLine
			return i, p.checkLine(b)

		case stStartLF:
			if i >= len(b) {
				return i, nil
			}
			if b[i] != '\n' {
				return i, errBareCR
			}
			i++
			if p.empties++; p.empties > maxEmptyLines {
				return i, errEmptyLines
			}
			p.state = stStart
		}
	}
}

// lineFault names what is wrong with a request line whose method or target
// (named by part) stopped at byte c instead of at its SP.
func lineFault(c byte, part error) error {
	switch c {
	case ' ', '\t':
		return errLineSpacing // RFC 9112 section 3: exactly one SP
	case '\n':
		return errBareLF
	case '\r':
		if part == errTarget {
			return errNoVersion // the HTTP/0.9 form "GET /\r\n"
		}
		return errLineSpacing
	}
	return part
}

// versionShape is an HTTP-version and its CRLF (RFC 9112 section 2.3);
// '#' stands for one DIGIT.
const versionShape = "HTTP/#.#\r\n"

// version scans the version from i; p.mark is its start. It returns the
// index after the bytes checked so far.
func (p *Parser) version(b []byte, i int) (int, error) {
	// The common case, checked in one comparison.
	if i == p.mark && len(b)-i >= len(versionShape) &&
		string(b[i:i+len(versionShape)]) == "HTTP/1.1\r\n" {
		return i + len(versionShape), nil
	}
	for ; i < len(b) && i-p.mark < len(versionShape); i++ {
		want, c := versionShape[i-p.mark], b[i]
		switch {
		case want == '#' && isDigit(c), want != '#' && c == want:
			// '#' in versionShape stands for a digit, never for itself.
		case want == '\n':
			return i, errBareCR
		case isSpace(c):
			return i, errLineSpacing
		case c == '\n':
			return i, errBareLF
		default:
			return i, errVersion
		}
	}
	return i, nil
}

// checkLine checks the complete request line: the version, then the form
// of the target.
func (p *Parser) checkLine(b []byte) error {
	major, minor := b[p.mark+5]-'0', b[p.mark+7]-'0'
	switch {
	case major != 1:
		return errVersionSupport
	case minor == 0:
		p.proto = 10
	default:
		p.proto = 11 // RFC 9110 section 2.5: a later 1.x is answered as 1.1
	}
	return p.targetForm(b)
}

// targetForm sorts the target into the four forms of RFC 9112 section 3.2
// and splits it into path, query and authority.
func (p *Parser) targetForm(b []byte) error {
	t, method := p.target.of(b), p.method.of(b)
	switch {
	case string(method) == "CONNECT":
		// Authority-form, for CONNECT and only CONNECT (section 3.2.3).
		if !validAuthority(t, true) {
			return errTarget
		}
		p.path = span{p.target.lo, p.target.lo}
	case t[0] == '/':
		p.splitPath(b, p.target.lo)
	case len(t) == 1 && t[0] == '*':
		// Asterisk-form, for OPTIONS only (section 3.2.4).
		if string(method) != "OPTIONS" {
			return errTarget
		}
		p.path = p.target
	default:
		return p.absoluteForm(b)
	}
	return nil
}

// absoluteForm checks an absolute-form target (RFC 9112 section 3.2.2).
// lane is an origin server, so only http and https URIs make sense; their
// authority must name a host (RFC 9110 section 4.2.1) and carry no
// userinfo (section 4.2.4).
func (p *Parser) absoluteForm(b []byte) error {
	t := p.target.of(b)
	var n int
	switch {
	case hasPrefixFold(t, "http://"):
		n = len("http://")
	case hasPrefixFold(t, "https://"):
		n = len("https://")
	default:
		return errTarget
	}

	lo := p.target.lo + n
	hi := lo
	for hi < p.target.hi && b[hi] != '/' && b[hi] != '?' {
		hi++
	}
	if !validAuthority(b[lo:hi], false) {
		return errTarget
	}
	p.authority = span{lo, hi}
	p.flags |= fAbsolute
	p.splitPath(b, hi)
	return nil
}

// splitPath splits the target from lo into path and query at the first '?'.
func (p *Parser) splitPath(b []byte, lo int) {
	hi := p.target.hi
	q := bytes.IndexByte(b[lo:hi], '?')
	if q < 0 {
		p.path = span{lo, hi}
		return
	}
	p.path = span{lo, lo + q}
	p.query = span{lo + q + 1, hi}
	p.flags |= fQuery
}

// fields scans field lines, "field-name ":" OWS field-value OWS CRLF"
// (RFC 9112 section 5), up to the empty line that ends the head, whose
// length it returns.
func (p *Parser) fields(b []byte, r *Request, l *limits) (int, error) {
	i, err := p.scanFields(b, r, l, p.i)
	p.i = i
	if err != nil || p.state != stDone {
		return 0, err
	}
	return i, nil
}

// scanFields is fields from byte i; it returns where it stopped. As in
// scanRequestLine, each case falls through to the next.
func (p *Parser) scanFields(b []byte, r *Request, l *limits, i int) (int, error) {
	for {
		switch p.state {
		case stLine:
			if i >= len(b) {
				return i, nil
			}
			switch b[i] {
			case '\r':
				i++
				p.state = stEndLF
				continue
			case ' ', '\t':
				return i, errObsFold // RFC 9112 section 5.2
			case '\n':
				return i, errBareLF
			}
			if p.count++; p.count > l.count {
				return i, errFieldCount
			}
			p.mark = i
			p.state = stName
			fallthrough

		case stName:
			i = tokenEnd(b, i)
			if i-p.mark > l.name {
				return i, errNameLong
			}
			if i >= len(b) {
				return i, nil
			}
			if b[i] != ':' || i == p.mark {
				return i, nameFault(b[i], i == p.mark)
			}
			p.colon = i
			i++
			p.state = stSpace
			fallthrough

		case stSpace:
			i = skipSpace(b, i)
			if i >= len(b) {
				return i, nil
			}
			p.val = i
			p.state = stValue
			fallthrough

		case stValue:
			i = valueEnd(b, i)
			if i-p.val > l.value {
				return i, errValueLong
			}
			if i >= len(b) {
				return i, nil
			}
			if b[i] != '\r' {
				return i, valueFault(b[i])
			}
			i++
			p.state = stValueLF
			fallthrough

		case stValueLF:
			if i >= len(b) {
				return i, nil
			}
			if b[i] != '\n' {
				return i, errBareCR
			}
			if err := p.field(b, r, i-1); err != nil {
				return i, err
			}
			i++
			p.state = stLine

		case stEndLF:
			if i >= len(b) {
				return i, nil
			}
			if b[i] != '\n' {
				return i, errBareCR
			}
			i++
			p.state = stDone
			p.n = i
			return i, p.checkHead()
		}
	}
}

// checkHead makes the checks that need the whole head. Their order puts
// the refusals that make the request malformed first.
func (p *Parser) checkHead() error {
	switch {
	case p.proto == 11 && p.flags&fHost == 0:
		return errNoHost // RFC 9112 section 3.2
	case p.flags&fCoding != 0:
		return errCoding // RFC 9112 section 6.1
	case p.flags&fExpectOther != 0:
		return errExpect // RFC 9110 section 10.1.1
	}
	return nil
}

// finish fills r from the complete head in b.
func (p *Parser) finish(b []byte, r *Request) {
	r.Method = p.method.of(b)
	r.Target = p.target.of(b)
	r.Path = p.path.of(b)
	if len(r.Path) == 0 && p.flags&fAbsolute != 0 {
		r.Path = rootPath
	}
	r.Query = nil
	if p.flags&fQuery != 0 {
		r.Query = p.query.of(b)
	}

	r.Host = nil
	switch {
	case p.flags&fAbsolute != 0:
		r.Host = p.authority.of(b) // RFC 9112 section 3.2.2: the target wins
	case p.flags&fHost != 0:
		r.Host = p.host.of(b)
	}

	r.Proto = p.proto
	r.ContentLength = -1
	if p.flags&fLength != 0 {
		r.ContentLength = p.length
	}
	r.Chunked = p.flags&fChunked != 0
	r.KeepAlive = p.keepAlive()
	r.Expect100 = p.proto == 11 && p.flags&fExpect100 != 0
	r.Upgrade = p.proto == 11 && p.flags&(fUpgradeOpt|fUpgrade) == fUpgradeOpt|fUpgrade
	p.base = nil
}

// keepAlive applies RFC 9112 section 9.3: "close" always wins; otherwise
// HTTP/1.1 persists and HTTP/1.0 persists only with "keep-alive".
func (p *Parser) keepAlive() bool {
	switch {
	case p.flags&fClose != 0:
		return false
	case p.proto == 11:
		return true
	}
	return p.flags&fKeepAlive != 0
}
