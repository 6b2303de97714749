package lane

import (
	"cmp"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// route is one registered route. The server fills chain; the router only stores it.
type route struct {
	method  string // "" means any method (registered with Server.Route)
	pattern string
	chain   []Handler // group middleware followed by the handler
}

// RouteInfo describes a registered route, for listing.
type RouteInfo struct {
	Method  string // "" for any method
	Pattern string
}

// param is one path parameter of a matched route. Its value is
// path[start:end] of the path given to find, still percent-encoded: the
// router keeps offsets, never the path, so nothing it holds aliases a
// reused request buffer.
type param struct {
	name       string
	start, end int // value is path[start:end] of the path given to find
}

// params is reused per request; reset with ps.list = ps.list[:0].
type params struct{ list []param }

// router maps a request's method and raw path to a route.
//
// A pattern starts with '/' and splits into segments on '/'. A trailing '/'
// ends with an empty segment of its own, so /a and /a/ are two routes. Each
// segment is static text or a whole-segment parameter:
//
//	{name}        one non-empty segment
//	{name:regex}  one non-empty segment that the RE2 regex matches as a whole
//	{name...}     the rest of the path, slashes included, possibly empty; last only
//
// A tail starts at a segment of its own: /f/{p...} matches /f/ and /f/x/y,
// not /f. Braces inside a regex must nest or be escaped (\{). At each
// segment a lookup tries static text, then regexes in registration order,
// then the plain parameter, then the tail, and backtracks when a branch
// fails deeper.
//
// The router is a trie with one level per path segment. Each node keeps its
// static children (looked up by segment text), its regex children in
// registration order, at most one plain parameter child and at most one
// tail child, so a lookup costs one step per path segment whatever the
// number of routes.
// Because every node below the root consumes exactly one segment (a tail
// consumes the rest), each node is visited at most once per lookup, even
// when the lookup backtracks.
//
// Static segments are compared byte for byte with the raw path, so they
// match only requests that encode the path the same way, and a regex sees
// the raw segment too; parameter values are handed out still
// percent-encoded. A '/' written as %2F never splits a segment.
//
// find is safe for concurrent use and, when ps has room for the
// parameters, does not allocate. add is not safe for concurrent use, with
// itself or with find: register every route before serving.
type router struct {
	root rnode
	all  []*route // in registration order, for routes
}

// rstaticScan is the number of static children a node scans linearly
// before it also indexes them in a map: comparing a few strings is cheaper
// than hashing one.
const rstaticScan = 8

// rnode is one trie node: a path position reached by the segments above it.
type rnode struct {
	// Children, in match priority order.
	static []*rnode          // static segments
	index  map[string]*rnode // static by text, once there are more than rstaticScan
	regex  []*rnode          // regex parameters, in registration order
	param  *rnode            // plain parameter
	tail   *rnode            // tail parameter, always a leaf with routes

	// How this node was reached from its parent.
	text   string         // static text, or the regex as written
	name   string         // parameter name; "" for static nodes
	re     *regexp.Regexp // anchored regex of a regex node
	origin *route         // first route through this node, for conflict panics

	// Routes that end here.
	methods []rmethod // specific methods, in registration order
	any     *route    // the route for any method, or nil
	allow   string    // Allow header for a 405 here, built by add
}

// rmethod is one method's route at a node.
type rmethod struct {
	method string
	rt     *route
}

// rsegKind says what one pattern segment matches.
type rsegKind uint8

const (
	rsegStatic rsegKind = iota // its text, exactly
	rsegRegex                  // one non-empty segment matching a regex
	rsegParam                  // one non-empty segment
	rsegTail                   // the rest of the path, possibly empty
)

// rseg is one parsed pattern segment.
type rseg struct {
	kind rsegKind
	text string // static text, or the regex as written
	name string // parameter name
	re   *regexp.Regexp
}

// rallowOrder is the order of the well-known methods in an Allow header.
// Other methods follow them, sorted.
var rallowOrder = [...]string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

// newRouter returns an empty router.
func newRouter() *router {
	return &router{}
}

// add registers rt. It panics with a message starting "lane: " on an invalid
// pattern (naming the pattern and the problem) or a conflict (naming both
// patterns and the method, e.g. `lane: route GET /a/{name} conflicts with GET /a/{id}`).
//
// It also panics on a nil rt, a method that is not an HTTP token, an empty
// chain or a nil handler in the chain. Messages name a route for any method
// as ANY. A panicking add leaves the router as it was.
func (r *router) add(rt *route) {
	if rt == nil {
		panic("lane: nil route")
	}
	segs, err := rparse(rt.pattern)
	if err != nil {
		panic(fmt.Sprintf("lane: invalid pattern %q: %v", rt.pattern, err))
	}
	if !rtoken(rt.method) && rt.method != "" {
		panic(fmt.Sprintf("lane: route %s: method %q is not an HTTP token (RFC 9110, section 9.1)",
			rdescribe(rt), rt.method))
	}
	if len(rt.chain) == 0 {
		panic(fmt.Sprintf("lane: route %s has no handler", rdescribe(rt)))
	}
	for _, h := range rt.chain {
		if h == nil {
			panic(fmt.Sprintf("lane: route %s has a nil handler", rdescribe(rt)))
		}
	}

	// Check the whole route before changing anything, so that a caller who
	// recovers the panic keeps a consistent router.
	if msg := r.root.conflict(rt, segs); msg != "" {
		panic(msg)
	}
	r.root.insert(rt, segs).attach(rt)
	r.all = append(r.all, rt)
}

// find matches a request. path is the raw (still percent-encoded) path, a
// string that may be a view into a reused buffer: find must not retain it.
// Results:
//
//	route != nil            → handle it (params appended to ps)
//	route == nil, allow!="" → the path exists but not for this method:
//	                          405 (or automatic OPTIONS); allow is the Allow header value
//	route == nil, allow=="" → 404
//
// HEAD falls back to the GET route when no HEAD route exists. A route
// registered for any method ("") matches every method that has no specific
// route. allow lists the path's methods in a fixed order (GET, HEAD when GET
// exists, POST, PUT, PATCH, DELETE, OPTIONS always, then others sorted),
// comma+space separated, computed once at registration (no allocation in find).
//
// The path picks the node first, and the method is chosen there: with routes
// GET /a/b and POST /a/{x}, POST /a/b gets a 405, not the parameter route.
// ps is appended to only when a route is returned; a path that does not
// start with '/' (such as "*") is a 404.
func (r *router) find(method, path string, ps *params) (*route, string) {
	if path == "" || path[0] != '/' {
		return nil, ""
	}
	mark := len(ps.list)
	n := r.root.match(path, 1, ps)
	if n == nil {
		return nil, ""
	}
	if rt := n.pick(method); rt != nil {
		return rt, ""
	}
	ps.list = ps.list[:mark]
	return nil, n.allow
}

// routes lists registered routes sorted by pattern, then method.
func (r *router) routes() []RouteInfo {
	list := make([]RouteInfo, len(r.all))
	for i, rt := range r.all {
		list[i] = RouteInfo{Method: rt.method, Pattern: rt.pattern}
	}
	slices.SortFunc(list, func(a, b RouteInfo) int {
		return cmp.Or(strings.Compare(a.Pattern, b.Pattern), strings.Compare(a.Method, b.Method))
	})
	return list
}

// match matches the path from offset i, the start of a segment, below n;
// i past the end of the path means that n took its last segment. It returns
// the first node, in priority order, where the whole path is used up and
// some route ends, appending the parameters on the way to ps; or nil,
// leaving ps as it was.
func (n *rnode) match(path string, i int, ps *params) *rnode {
	if i > len(path) {
		if n.any != nil || len(n.methods) > 0 {
			return n
		}
		return nil
	}

	end := len(path)
	if k := strings.IndexByte(path[i:], '/'); k >= 0 {
		end = i + k
	}
	seg := path[i:end]

	// Static text first. If nothing matches below it, fall through to the
	// parameters: routes /a/b/c and /a/{x}/d must both be reachable.
	if c := n.child(seg); c != nil {
		if m := c.match(path, end+1, ps); m != nil {
			return m
		}
	}

	// Regex and plain parameters never match an empty segment, which keeps
	// /a/ apart from /a/{x}.
	if seg != "" {
		for _, c := range n.regex {
			if !c.re.MatchString(seg) {
				continue
			}
			if m := c.capture(path, i, end, ps); m != nil {
				return m
			}
		}
		if c := n.param; c != nil {
			if m := c.capture(path, i, end, ps); m != nil {
				return m
			}
		}
	}

	// A tail takes whatever is left, slashes included.
	if c := n.tail; c != nil {
		ps.list = append(ps.list, param{name: c.name, start: i, end: len(path)})
		return c
	}
	return nil
}

// capture records path[i:end] as n's parameter and goes on matching below
// n, taking the parameter back if that fails.
func (n *rnode) capture(path string, i, end int, ps *params) *rnode {
	mark := len(ps.list)
	ps.list = append(ps.list, param{name: n.name, start: i, end: end})
	if m := n.match(path, end+1, ps); m != nil {
		return m
	}
	ps.list = ps.list[:mark]
	return nil
}

// child returns n's static child for seg, or nil.
func (n *rnode) child(seg string) *rnode {
	if n.index != nil {
		return n.index[seg]
	}
	for _, c := range n.static {
		if c.text == seg {
			return c
		}
	}
	return nil
}

// pick returns the route for method at n, or nil.
func (n *rnode) pick(method string) *route {
	if rt := n.route(method); rt != nil {
		return rt
	}
	// RFC 9110, section 9.3.2: HEAD is GET without the content.
	if method == "HEAD" {
		if rt := n.route("GET"); rt != nil {
			return rt
		}
	}
	return n.any
}

// route returns the route registered at n for exactly method, or nil.
func (n *rnode) route(method string) *route {
	for _, m := range n.methods {
		if m.method == method {
			return m.rt
		}
	}
	return nil
}

// conflict walks the trie along segs without changing it and returns the
// panic message for adding rt, or "" when rt can be added.
func (n *rnode) conflict(rt *route, segs []rseg) string {
	for i, s := range segs {
		c := n.childFor(s)
		if c == nil {
			return "" // everything from here down is new
		}
		if c.name != s.name {
			return fmt.Sprintf("lane: route %s conflicts with %s: "+
				"parameter %q at segment %d is named %q there",
				rdescribe(rt), rdescribe(c.origin), s.name, i+1, c.name)
		}
		n = c
	}

	old := n.any
	if rt.method != "" {
		old = n.route(rt.method)
	}
	if old != nil {
		return fmt.Sprintf("lane: route %s conflicts with %s: same method and path",
			rdescribe(rt), rdescribe(old))
	}
	return ""
}

// childFor returns the child of n that s leads to, or nil. Two parameters are
// the same child when they are of the same kind (and regex) whatever their
// names; conflict compares the names.
func (n *rnode) childFor(s rseg) *rnode {
	switch s.kind {
	case rsegStatic:
		return n.child(s.text)
	case rsegRegex:
		for _, c := range n.regex {
			if c.text == s.text {
				return c
			}
		}
		return nil
	case rsegParam:
		return n.param
	default:
		return n.tail
	}
}

// insert adds the nodes segs lead to below n, for rt, and returns the last.
func (n *rnode) insert(rt *route, segs []rseg) *rnode {
	for _, s := range segs {
		c := n.childFor(s)
		if c == nil {
			c = &rnode{text: s.text, name: s.name, re: s.re, origin: rt}
			n.link(s.kind, c)
		}
		n = c
	}
	return n
}

// link makes c a child of n of the given kind.
func (n *rnode) link(kind rsegKind, c *rnode) {
	switch kind {
	case rsegStatic:
		n.static = append(n.static, c)
		switch {
		case n.index != nil:
			n.index[c.text] = c
		case len(n.static) > rstaticScan:
			n.index = make(map[string]*rnode, len(n.static))
			for _, s := range n.static {
				n.index[s.text] = s
			}
		}
	case rsegRegex:
		n.regex = append(n.regex, c)
	case rsegParam:
		n.param = c
	default:
		n.tail = c
	}
}

// attach ends rt at n and rebuilds n's Allow header.
func (n *rnode) attach(rt *route) {
	if rt.method == "" {
		n.any = rt
	} else {
		n.methods = append(n.methods, rmethod{method: rt.method, rt: rt})
	}

	var list, others []string
	for _, m := range rallowOrder {
		has := n.route(m) != nil
		if has || m == "OPTIONS" || m == "HEAD" && n.route("GET") != nil {
			list = append(list, m)
		}
	}
	for _, m := range n.methods {
		if !slices.Contains(rallowOrder[:], m.method) {
			others = append(others, m.method)
		}
	}
	slices.Sort(others)
	n.allow = strings.Join(append(list, others...), ", ")
}

// rparse splits a pattern into segments, or says what is wrong with it.
func rparse(pattern string) ([]rseg, error) {
	if pattern == "" {
		return nil, errors.New("empty pattern")
	}
	if pattern[0] != '/' {
		return nil, errors.New("a pattern must start with '/'")
	}

	var segs []rseg
	for i := 1; ; {
		end, err := rsegEnd(pattern, i)
		if err != nil {
			return nil, err
		}
		s, err := rparseSeg(pattern[i:end], end == len(pattern))
		if err != nil {
			return nil, err
		}
		segs = append(segs, s)
		if end == len(pattern) {
			break
		}
		i = end + 1
	}

	for i, s := range segs {
		if s.kind == rsegTail && i != len(segs)-1 {
			return nil, fmt.Errorf("tail parameter {%s...} must be the last segment", s.name)
		}
		if s.name == "" {
			continue
		}
		for _, t := range segs[:i] {
			if t.name == s.name {
				return nil, fmt.Errorf("duplicate parameter name %q", s.name)
			}
		}
	}
	return segs, nil
}

// rsegEnd returns the offset of the '/' that ends the segment starting at
// offset i of p, or len(p). A '/' inside braces belongs to a regex, as in
// {x:[^/]+}, and a backslash inside braces escapes the next byte, so
// {x:\{} is a regex matching "{".
func rsegEnd(p string, i int) (int, error) {
	depth := 0
	for ; i < len(p); i++ {
		switch c := p[i]; {
		case c == '\\' && depth > 0:
			i++
		case c == '{':
			depth++
		case c == '}':
			if depth == 0 {
				return 0, fmt.Errorf("unmatched '}' at offset %d", i)
			}
			depth--
		case c == '/' && depth == 0:
			return i, nil
		}
	}
	if depth > 0 {
		return 0, errors.New("unclosed '{'")
	}
	return len(p), nil
}

// rparseSeg parses one segment whose braces are balanced. last says whether
// it ends the pattern, where an empty segment means a trailing slash.
func rparseSeg(seg string, last bool) (rseg, error) {
	switch {
	case seg == "" && last:
		return rseg{kind: rsegStatic}, nil
	case seg == "":
		return rseg{}, errors.New(`empty segment ("//")`)
	case !strings.ContainsAny(seg, "{}"):
		return rseg{kind: rsegStatic, text: seg}, rcheckStatic(seg)
	case seg[0] != '{' || rcloseAt(seg) != len(seg)-1:
		return rseg{}, fmt.Errorf("segment %q mixes text and parameters; "+
			"a parameter must be a whole segment", seg)
	}

	body := seg[1 : len(seg)-1]
	name, rx, hasRx := strings.Cut(body, ":")
	if hasRx && strings.HasSuffix(name, "...") {
		return rseg{}, fmt.Errorf("tail parameter %q cannot have a regex", seg)
	}
	if !hasRx && strings.HasSuffix(name, "...") {
		name = strings.TrimSuffix(name, "...")
		return rseg{kind: rsegTail, name: name}, rcheckName(name, seg)
	}
	if err := rcheckName(name, seg); err != nil {
		return rseg{}, err
	}
	if !hasRx {
		return rseg{kind: rsegParam, name: name}, nil
	}
	if rx == "" {
		return rseg{}, fmt.Errorf("empty regex in %q", seg)
	}

	// Compile the regex alone first: wrapped in the anchors, a regex such
	// as a)|(b would compile, and escape them.
	if _, err := regexp.Compile(rx); err != nil {
		return rseg{}, fmt.Errorf("bad regex in %q: %v", seg, err)
	}
	re, err := regexp.Compile(`^(?:` + rx + `)$`)
	if err != nil {
		return rseg{}, fmt.Errorf("bad regex in %q: %v", seg, err)
	}
	return rseg{kind: rsegRegex, text: rx, name: name, re: re}, nil
}

// rcloseAt returns the offset of the '}' that closes the '{' at seg[0],
// skipping escaped bytes as rsegEnd does.
func rcloseAt(seg string) int {
	depth := 0
	for i := 0; i < len(seg); i++ {
		switch seg[i] {
		case '\\':
			i++
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// rcheckName returns an error unless name, from segment seg, is a valid
// parameter name: a letter or '_', then letters, digits or '_'.
func rcheckName(name, seg string) error {
	if name == "" {
		return fmt.Errorf("empty parameter name in %q", seg)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		letter := c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		if !letter && (i == 0 || c < '0' || c > '9') {
			return fmt.Errorf("invalid parameter name %q in %q: "+
				"use a letter or '_', then letters, digits or '_'", name, seg)
		}
	}
	return nil
}

// rcheckStatic rejects static text that no request path can contain, so
// that a route that could never match fails at registration instead.
func rcheckStatic(seg string) error {
	// RFC 3986, section 5.2.4: clients remove dot segments before sending.
	if seg == "." || seg == ".." {
		return fmt.Errorf("dot segment %q: clients remove it from request paths", seg)
	}
	// RFC 9112, section 3.2: a request-target has no spaces, controls or
	// raw non-ASCII bytes, and '?' or '#' would end the path.
	for i := 0; i < len(seg); i++ {
		if c := seg[i]; c <= ' ' || c >= 0x7f || c == '?' || c == '#' {
			return fmt.Errorf("segment %q has byte %q, which cannot appear in a request path; "+
				"percent-encode it", seg, c)
		}
	}
	return nil
}

// rtoken reports whether s is a token (RFC 9110, section 5.6.2), as a
// method must be.
func rtoken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		alnum := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
		if !alnum && !strings.ContainsRune("!#$%&'*+-.^_`|~", rune(c)) {
			return false
		}
	}
	return true
}

// rdescribe names rt in panic messages: its method, or ANY, and pattern.
func rdescribe(rt *route) string {
	if rt.method == "" {
		return "ANY " + rt.pattern
	}
	return rt.method + " " + rt.pattern
}
