package http1

import "bytes"

// validAuthority reports whether s is uri-host [ ":" port ] (RFC 3986
// section 3.2) with a non-empty host, as RFC 9110 section 4.2.1 requires of
// http URIs. needPort requires the port, as in the authority-form of
// CONNECT (RFC 9112 section 3.2.3).
//
// The port must be 1 to 5 digits up to 65535: RFC 3986 allows an empty or
// longer port, but no such port can be reached, and refusing it keeps lane
// from reading a Host differently from a proxy that normalises it.
func validAuthority(s []byte, needPort bool) bool {
	host, port, hasPort := splitHostPort(s)
	switch {
	case hasPort && !validPort(port):
		return false
	case needPort && !hasPort:
		return false
	case len(host) > 0 && host[0] == '[':
		return validIPLiteral(host[1 : len(host)-1])
	}
	return validRegName(host)
}

// splitHostPort splits s at the colon that starts the port. An IP-literal
// is returned with its brackets, and is known to end with ']'.
func splitHostPort(s []byte) (host, port []byte, hasPort bool) {
	if len(s) > 0 && s[0] == '[' {
		end := bytes.IndexByte(s, ']')
		if end < 0 {
			return nil, nil, false // fails validRegName: empty
		}
		host, s = s[:end+1], s[end+1:]
		if len(s) == 0 {
			return host, nil, false
		}
		if s[0] != ':' {
			return nil, nil, false
		}
		return host, s[1:], true
	}
	if c := bytes.IndexByte(s, ':'); c >= 0 {
		return s[:c], s[c+1:], true
	}
	return s, nil, false
}

func validPort(s []byte) bool {
	if len(s) == 0 || len(s) > 5 {
		return false
	}
	n := 0
	for _, c := range s {
		if !isDigit(c) {
			return false
		}
		n = n*10 + int(c-'0')
	}
	return n <= 65535
}

// validRegName reports whether s is a non-empty reg-name: unreserved,
// sub-delims and well-formed pct-encoded bytes. IPv4 addresses are a subset.
func validRegName(s []byte) bool {
	if len(s) == 0 {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch {
		case class[s[i]]&cHost != 0:
		case s[i] == '%' && i+2 < len(s) && class[s[i+1]]&class[s[i+2]]&cHex != 0:
			i += 2
		default:
			return false
		}
	}
	return true
}

// validIPLiteral reports whether s, the text between the brackets of an
// IP-literal, is an IPv6address or an IPvFuture (RFC 3986 section 3.2.2).
// Zone identifiers are not part of that grammar and are refused.
func validIPLiteral(s []byte) bool {
	if len(s) > 0 && (s[0] == 'v' || s[0] == 'V') {
		return validIPvFuture(s[1:])
	}
	return validIPv6(s)
}

// validIPvFuture checks 1*HEXDIG "." 1*( unreserved / sub-delims / ":" ),
// the part after the "v".
func validIPvFuture(s []byte) bool {
	i := 0
	for i < len(s) && class[s[i]]&cHex != 0 {
		i++
	}
	if i == 0 || i == len(s) || s[i] != '.' || i+1 == len(s) {
		return false
	}
	for _, c := range s[i+1:] {
		if class[c]&cHost == 0 && c != ':' {
			return false
		}
	}
	return true
}

// validIPv6 checks the IPv6address of RFC 3986 section 3.2.2: eight groups
// of one to four hex digits, or fewer with a single "::" standing for at
// least one group, the last two groups optionally written as IPv4.
func validIPv6(s []byte) bool {
	groups, elided := 0, false
	i := 0
	if len(s) >= 2 && s[0] == ':' && s[1] == ':' {
		elided, i = true, 2
	}
	for i < len(s) {
		j := i
		for j < len(s) && j-i < 5 && class[s[j]]&cHex != 0 {
			j++
		}
		if j < len(s) && s[j] == '.' {
			// An IPv4 tail, the last two groups.
			return groups <= 6 && validIPv4(s[i:]) && (groups+2 == 8 || elided && groups+2 < 8)
		}
		if j == i || j-i > 4 {
			return false
		}
		groups++
		if i = j; i == len(s) {
			break
		}
		if s[i] != ':' || i+1 == len(s) {
			return false
		}
		i++
		if s[i] == ':' {
			if elided {
				return false
			}
			elided = true
			i++
		}
	}
	if elided {
		return groups < 8
	}
	return groups == 8
}

// validIPv4 checks four dec-octets, 0 to 255 without leading zeros.
func validIPv4(s []byte) bool {
	for part := 0; part < 4; part++ {
		if part > 0 {
			if len(s) == 0 || s[0] != '.' {
				return false
			}
			s = s[1:]
		}
		n, k := 0, 0
		for k < len(s) && k < 4 && isDigit(s[k]) {
			n = n*10 + int(s[k]-'0')
			k++
		}
		if k == 0 || k > 3 || n > 255 || k > 1 && s[0] == '0' {
			return false
		}
		s = s[k:]
	}
	return len(s) == 0
}
