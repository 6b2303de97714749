package lane

import (
	"fmt"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
)

// rtHandler is the handler of every test route.
func rtHandler(*Context) (s Status) { return s }

// rtRoute makes a route from a spec such as "GET /a/{id}"; the method ANY
// stands for any method.
func rtRoute(spec string) *route {
	method, pattern, _ := strings.Cut(spec, " ")
	if method == "ANY" {
		method = ""
	}
	return &route{method: method, pattern: pattern, chain: []Handler{rtHandler}}
}

// rtRouter builds a router from route specs.
func rtRouter(tb testing.TB, specs ...string) *router {
	tb.Helper()
	r := newRouter()
	for _, s := range specs {
		r.add(rtRoute(s))
	}
	return r
}

// rtResult describes what find returned for path: "GET /u/{id} id=7" for a
// route and its parameters, "405 GET, HEAD, OPTIONS" or "404".
func rtResult(rt *route, allow, path string, ps *params) string {
	switch {
	case rt == nil && allow != "":
		return "405 " + allow
	case rt == nil:
		return "404"
	}
	var b strings.Builder
	b.WriteString(rdescribe(rt))
	for _, p := range ps.list {
		fmt.Fprintf(&b, " %s=%s", p.name, path[p.start:p.end])
	}
	return b.String()
}

// rtPanic runs f and returns the message it panicked with, or "".
func rtPanic(f func()) (msg string) {
	defer func() {
		if v := recover(); v != nil {
			msg = fmt.Sprint(v)
		}
	}()
	f()
	return ""
}

// rtSet is a route set with every pattern kind and priority case.
var rtSet = []string{
	"GET /",
	"GET /a",
	"GET /a/",
	"GET /a/b/c",
	"GET /a/{x}/d",
	"GET /u/{id}",
	`GET /n/{id:\d+}`,
	`GET /z/{code:\d{3}}`,
	`GET /esc/{brace:\{+}`,
	"GET /seg/{x:[^/]+}/end",
	"GET /f/{path...}",
	"GET /p/new",
	`GET /p/{id:\d+}`,
	"GET /p/{name}",
	"GET /p/{rest...}",
	`GET /r/{digits:\d+}`,
	"GET /r/{hex:[0-9a-f]+}",
	`GET /q/{id:\d+}/edit`,
	"GET /q/{name}/view",
	"GET /s/x/y",
	"GET /s/{rest...}",
	"GET /h",
	"HEAD /h2",
	"GET /h2",
	"ANY /any",
	"GET /mixed",
	"ANY /mixed",
	"POST /m",
	"GET /m",
	"GET /c/b",
	"POST /c/{x}",
	"GET /w/{all}/",
}

func TestRouterFind(t *testing.T) {
	r := rtRouter(t, rtSet...)
	tests := []struct {
		method, path string
		want         string
	}{
		// Static routes and the trailing slash.
		{"GET", "/", "GET /"},
		{"GET", "/a", "GET /a"},
		{"GET", "/a/", "GET /a/"},
		{"GET", "/a//", "404"},
		{"GET", "/h/", "404"},

		// Plain parameters take one non-empty segment, raw.
		{"GET", "/u/42", "GET /u/{id} id=42"},
		{"GET", "/u/a%2Fb", "GET /u/{id} id=a%2Fb"},
		{"GET", "/u/", "404"},
		{"GET", "/u", "404"},
		{"GET", "/u/42/", "404"},
		{"GET", "/u/42/x", "404"},

		// Regexes are anchored to the whole segment.
		{"GET", "/n/123", `GET /n/{id:\d+} id=123`},
		{"GET", "/n/12a", "404"},
		{"GET", "/n/a12", "404"},
		{"GET", "/n/", "404"},
		{"GET", "/z/123", `GET /z/{code:\d{3}} code=123`},
		{"GET", "/z/1234", "404"},
		{"GET", "/z/12", "404"},
		{"GET", "/esc/{{", `GET /esc/{brace:\{+} brace={{`},
		{"GET", "/seg/abc/end", "GET /seg/{x:[^/]+}/end x=abc"},

		// Tails take the rest, slashes included, possibly empty.
		{"GET", "/f/", "GET /f/{path...} path="},
		{"GET", "/f/a", "GET /f/{path...} path=a"},
		{"GET", "/f/a/b/c", "GET /f/{path...} path=a/b/c"},
		{"GET", "/f//x/", "GET /f/{path...} path=/x/"},
		{"GET", "/f", "404"},

		// Priority: static, regex, plain parameter, tail.
		{"GET", "/p/new", "GET /p/new"},
		{"GET", "/p/12", `GET /p/{id:\d+} id=12`},
		{"GET", "/p/bob", "GET /p/{name} name=bob"},
		{"GET", "/p/a/b", "GET /p/{rest...} rest=a/b"},
		{"GET", "/p/", "GET /p/{rest...} rest="},
		{"GET", "/r/123", `GET /r/{digits:\d+} digits=123`},
		{"GET", "/r/12ab", "GET /r/{hex:[0-9a-f]+} hex=12ab"},
		{"GET", "/r/xyz", "404"},

		// Backtracking out of a branch that fails deeper.
		{"GET", "/a/b/c", "GET /a/b/c"},
		{"GET", "/a/b/d", "GET /a/{x}/d x=b"},
		{"GET", "/a/b/e", "404"},
		{"GET", "/p/new/x", "GET /p/{rest...} rest=new/x"},
		{"GET", "/q/12/edit", `GET /q/{id:\d+}/edit id=12`},
		{"GET", "/q/12/view", "GET /q/{name}/view name=12"},
		{"GET", "/s/x/y", "GET /s/x/y"},
		{"GET", "/s/x/z", "GET /s/{rest...} rest=x/z"},
		{"GET", "/s/x", "GET /s/{rest...} rest=x"},
		{"GET", "/w/nope/", "GET /w/{all}/ all=nope"},
		{"GET", "/w/nope", "404"},
		{"GET", "/w/nope/x/", "404"},

		// HEAD falls back to GET; any-method routes fill the gaps.
		{"HEAD", "/h", "GET /h"},
		{"HEAD", "/h2", "HEAD /h2"},
		{"GET", "/h2", "GET /h2"},
		{"DELETE", "/any", "ANY /any"},
		{"HEAD", "/any", "ANY /any"},
		{"OPTIONS", "/any", "ANY /any"},
		{"GET", "/mixed", "GET /mixed"},
		{"HEAD", "/mixed", "GET /mixed"},
		{"POST", "/mixed", "ANY /mixed"},

		// 405 and automatic OPTIONS, once the path has picked its node.
		{"HEAD", "/m", "GET /m"},
		{"POST", "/m", "POST /m"},
		{"PUT", "/m", "405 GET, HEAD, POST, OPTIONS"},
		{"OPTIONS", "/m", "405 GET, HEAD, POST, OPTIONS"},
		{"get", "/m", "405 GET, HEAD, POST, OPTIONS"},
		{"POST", "/h", "405 GET, HEAD, OPTIONS"},
		{"POST", "/c/b", "405 GET, HEAD, OPTIONS"},
		{"POST", "/c/d", "POST /c/{x} x=d"},

		// Paths that are not origin-form never match.
		{"GET", "", "404"},
		{"GET", "a", "404"},
		{"OPTIONS", "*", "404"},
		{"GET", "/nope", "404"},
		{"GET", "//", "404"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			var ps params
			rt, allow := r.find(tt.method, tt.path, &ps)
			if got := rtResult(rt, allow, tt.path, &ps); got != tt.want {
				t.Errorf("find(%q, %q) = %q, want %q", tt.method, tt.path, got, tt.want)
			}
			if rt == nil && len(ps.list) != 0 {
				t.Errorf("find(%q, %q) left params %v without a route", tt.method, tt.path, ps.list)
			}
		})
	}
}

func TestRouterParamOffsets(t *testing.T) {
	r := rtRouter(t, `GET /x/{a}/{b:\d+}/{c...}`, "GET /y/{a}")
	tests := []struct {
		method, path string
		want         []param
	}{
		{"GET", "/x/ab/12/q/r", []param{{"a", 3, 5}, {"b", 6, 8}, {"c", 9, 12}}},
		{"GET", "/x/ab/12/", []param{{"a", 3, 5}, {"b", 6, 8}, {"c", 9, 9}}},
		{"GET", "/x/ab/1x/q", nil},
		{"POST", "/y/ab", nil}, // 405: no parameters either
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			// find appends after what the caller already holds.
			held := param{"held", 0, 1}
			ps := params{list: []param{held}}
			r.find(tt.method, tt.path, &ps)
			want := append([]param{held}, tt.want...)
			if !slices.Equal(ps.list, want) {
				t.Errorf("find(%q) params = %v, want %v", tt.path, ps.list, want)
			}
		})
	}
}

func TestRouterAllow(t *testing.T) {
	tests := []struct {
		methods []string
		want    string
	}{
		{[]string{"GET"}, "GET, HEAD, OPTIONS"},
		{[]string{"POST"}, "POST, OPTIONS"},
		{[]string{"HEAD"}, "HEAD, OPTIONS"},
		{[]string{"HEAD", "GET"}, "GET, HEAD, OPTIONS"},
		{[]string{"OPTIONS"}, "OPTIONS"},
		{[]string{"DELETE", "PATCH", "PUT", "POST"}, "POST, PUT, PATCH, DELETE, OPTIONS"},
		{
			[]string{"PURGE", "DELETE", "TRACE", "POST", "GET", "PATCH", "PUT", "CONNECT", "OPTIONS"},
			"GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, CONNECT, PURGE, TRACE",
		},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.methods, ","), func(t *testing.T) {
			r := newRouter()
			for _, m := range tt.methods {
				r.add(rtRoute(m + " /x/{id}"))
			}
			var ps params
			rt, allow := r.find("BREW", "/x/1", &ps)
			if rt != nil || allow != tt.want {
				t.Errorf("find(BREW) = %v, %q, want nil, %q", rt, allow, tt.want)
			}
		})
	}
}

func TestRouterInvalidPattern(t *testing.T) {
	tests := []struct {
		pattern string
		want    string // part of the panic message after the pattern
	}{
		{"", "empty pattern"},
		{"a", "must start with '/'"},
		{"a/b", "must start with '/'"},
		{"//", "empty segment"},
		{"/a//b", "empty segment"},
		{"/{", "unclosed '{'"},
		{"/a/{id", "unclosed '{'"},
		{`/{x:\}`, "unclosed '{'"},
		{"/}", "unmatched '}'"},
		{"/a}", "unmatched '}'"},
		{"/{a}}", "unmatched '}'"},
		{"/{}", "empty parameter name"},
		{`/{:\d+}`, "empty parameter name"},
		{"/{...}", "empty parameter name"},
		{"/{1x}", `invalid parameter name "1x"`},
		{"/{a-b}", `invalid parameter name "a-b"`},
		{"/{a b}", `invalid parameter name "a b"`},
		{"/{é}", `invalid parameter name`},
		{"/{x:}", "empty regex"},
		{"/{x:(}", "bad regex in \"{x:(}\": error parsing regexp: missing closing )"},
		{"/{x:a)|(b}", "bad regex"},
		{"/{x:[z-a]}", "bad regex"},
		{"/{p...}/a", "tail parameter {p...} must be the last segment"},
		{"/{p...}/", "tail parameter {p...} must be the last segment"},
		{"/{p...:.*}", "tail parameter \"{p...:.*}\" cannot have a regex"},
		{"/{a}/{a}", `duplicate parameter name "a"`},
		{`/{a}/{a:\d+}`, `duplicate parameter name "a"`},
		{"/{a}/{a...}", `duplicate parameter name "a"`},
		{"/file-{id}.txt", `segment "file-{id}.txt" mixes text and parameters`},
		{"/{id}.txt", "mixes text and parameters"},
		{"/x{id}", "mixes text and parameters"},
		{"/{a}{b}", "mixes text and parameters"},
		{"/a b", "cannot appear in a request path"},
		{"/a?b", "cannot appear in a request path"},
		{"/a#b", "cannot appear in a request path"},
		{"/a\tb", "cannot appear in a request path"},
		{"/caf\u00e9", "cannot appear in a request path; percent-encode it"},
		{"/./a", `dot segment "."`},
		{"/a/..", `dot segment ".."`},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			r := newRouter()
			got := rtPanic(func() { r.add(rtRoute("GET " + tt.pattern)) })
			prefix := fmt.Sprintf("lane: invalid pattern %q: ", tt.pattern)
			if !strings.HasPrefix(got, prefix) || !strings.Contains(got, tt.want) {
				t.Errorf("add(%q) panic = %q, want %q followed by %q", tt.pattern, got, prefix, tt.want)
			}
			if n := len(r.routes()); n != 0 {
				t.Errorf("add(%q) registered %d routes after its panic, want 0", tt.pattern, n)
			}
		})
	}
}

func TestRouterValidPattern(t *testing.T) {
	// Patterns at the edges of the rules, each reachable by its path.
	tests := []struct{ pattern, path string }{
		{"/", "/"},
		{"/{p...}", "/"},
		{"/a-b.c~d_e/%41!$&'()*+,;=:@", "/a-b.c~d_e/%41!$&'()*+,;=:@"},
		{"/.well-known/x", "/.well-known/x"},
		{"/{_a1}", "/v"},
		{"/{Z}", "/v"},
		{`/{x:\{\}}`, "/{}"},
		{"/{x:a{1,2}}", "/aa"},
		{"/{x:(?i)abc}", "/ABC"},
		{"/{x:[^/]{2}}/y", "/ab/y"},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			var r *router
			if msg := rtPanic(func() { r = rtRouter(t, "GET "+tt.pattern) }); msg != "" {
				t.Fatalf("add(%q) panicked: %s", tt.pattern, msg)
			}
			var ps params
			if rt, _ := r.find("GET", tt.path, &ps); rt == nil {
				t.Errorf("find(%q) = nil, want route %q", tt.path, tt.pattern)
			}
		})
	}
}

func TestRouterBadRoute(t *testing.T) {
	tests := []struct {
		name string
		rt   *route
		want string
	}{
		{"nil", nil, "lane: nil route"},
		{"no chain", &route{method: "GET", pattern: "/a"}, "lane: route GET /a has no handler"},
		{
			"nil handler",
			&route{method: "GET", pattern: "/a", chain: []Handler{rtHandler, nil}},
			"lane: route GET /a has a nil handler",
		},
		{
			"bad method",
			&route{method: "GE T", pattern: "/a", chain: []Handler{rtHandler}},
			`lane: route GE T /a: method "GE T" is not an HTTP token`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := rtPanic(func() { newRouter().add(tt.rt) })
			if !strings.HasPrefix(got, tt.want) {
				t.Errorf("add panic = %q, want prefix %q", got, tt.want)
			}
		})
	}
}

func TestRouterConflict(t *testing.T) {
	tests := []struct {
		have []string
		add  string
		want string // the panic message, up to its reason
	}{
		{
			[]string{"GET /a/{id}"}, "GET /a/{name}",
			"lane: route GET /a/{name} conflicts with GET /a/{id}: ",
		},
		{
			[]string{"GET /a"}, "GET /a",
			"lane: route GET /a conflicts with GET /a: same method and path",
		},
		{
			[]string{"GET /a/"}, "GET /a/",
			"lane: route GET /a/ conflicts with GET /a/: same method and path",
		},
		{
			[]string{"ANY /a", "GET /a"}, "ANY /a",
			"lane: route ANY /a conflicts with ANY /a: same method and path",
		},
		{
			[]string{"GET /a/{id}/x"}, "POST /a/{name}/y",
			`lane: route POST /a/{name}/y conflicts with GET /a/{id}/x: ` +
				`parameter "name" at segment 2 is named "id" there`,
		},
		{
			[]string{`GET /r/{id:\d+}`}, `POST /r/{n:\d+}`,
			`lane: route POST /r/{n:\d+} conflicts with GET /r/{id:\d+}: `,
		},
		{
			[]string{"GET /t/{p...}"}, "POST /t/{q...}",
			"lane: route POST /t/{q...} conflicts with GET /t/{p...}: ",
		},
		{
			[]string{"GET /s/{id}/x", "GET /s/{id}/{sub}/y"}, "GET /s/{id}/{other}",
			"lane: route GET /s/{id}/{other} conflicts with GET /s/{id}/{sub}/y: ",
		},
	}
	for _, tt := range tests {
		t.Run(tt.add, func(t *testing.T) {
			r := rtRouter(t, tt.have...)
			before := r.routes()
			got := rtPanic(func() { r.add(rtRoute(tt.add)) })
			if !strings.HasPrefix(got, tt.want) {
				t.Errorf("add(%q) panic = %q, want prefix %q", tt.add, got, tt.want)
			}

			// The router is left as it was.
			if after := r.routes(); !slices.Equal(after, before) {
				t.Errorf("routes after the panic = %v, want %v", after, before)
			}
		})
	}
}

func TestRouterNoConflict(t *testing.T) {
	// Each set registers without a panic and every route stays reachable.
	tests := []struct {
		specs []string
		paths []string // paths[i] reaches specs[i]
	}{
		{
			[]string{`GET /r/{id:\d+}`, "GET /r/{id:[a-z]+}"},
			[]string{"/r/1", "/r/a"},
		},
		{
			[]string{`GET /r/{a:\d+}`, "GET /r/{b:[a-z]+}"},
			[]string{"/r/1", "/r/a"},
		},
		{
			[]string{"GET /a/{id}", "POST /a/{id}"},
			[]string{"/a/1", "/a/1"},
		},
		{
			[]string{"GET /a/{id}/x", "POST /a/{id}/y"},
			[]string{"/a/1/x", "/a/1/y"},
		},
		{
			[]string{"GET /a", "ANY /a"},
			[]string{"/a", "/a"},
		},
		{
			[]string{"GET /a/{id}", `GET /a/{n:\d+}`, "GET /a/{p...}", "GET /a/b"},
			[]string{"/a/x", "/a/1", "/a/x/y", "/a/b"},
		},
		{
			[]string{"GET /x", "GET /x/"},
			[]string{"/x", "/x/"},
		},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.specs, ","), func(t *testing.T) {
			var r *router
			if msg := rtPanic(func() { r = rtRouter(t, tt.specs...) }); msg != "" {
				t.Fatalf("add panicked: %s", msg)
			}
			for i, spec := range tt.specs {
				want := rtRoute(spec)
				method := rtOr(want.method, "DELETE")
				var ps params
				rt, _ := r.find(method, tt.paths[i], &ps)
				if rt == nil || rt.pattern != want.pattern || rt.method != want.method {
					t.Errorf("find(%s %s) = %v, want %s", method, tt.paths[i], rt, spec)
				}
			}
		})
	}
}

// rtOr returns s, or def when s is empty.
func rtOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func TestRouterManyStatic(t *testing.T) {
	// Enough children to use the map index, added one by one, so that the
	// index is built and then kept up to date.
	var specs []string
	for i := range 3 * rstaticScan {
		specs = append(specs, fmt.Sprintf("GET /k/s%d", i))
	}
	r := rtRouter(t, specs...)
	for _, spec := range specs {
		path := strings.TrimPrefix(spec, "GET ")
		var ps params
		if rt, _ := r.find("GET", path, &ps); rt == nil || rt.pattern != path {
			t.Errorf("find(%q) = %v, want its route", path, rt)
		}
	}
	var ps params
	if rt, allow := r.find("GET", "/k/s999", &ps); rt != nil || allow != "" {
		t.Errorf("find(/k/s999) = %v, %q, want 404", rt, allow)
	}
}

func TestRouterRoutes(t *testing.T) {
	r := rtRouter(t, "POST /b", "GET /b", "ANY /a/{x...}", "DELETE /a", "GET /a")
	want := []RouteInfo{
		{"DELETE", "/a"},
		{"GET", "/a"},
		{"", "/a/{x...}"},
		{"GET", "/b"},
		{"POST", "/b"},
	}
	if got := r.routes(); !slices.Equal(got, want) {
		t.Errorf("routes() = %v, want %v", got, want)
	}
	if got := newRouter().routes(); len(got) != 0 {
		t.Errorf("routes() of an empty router = %v, want none", got)
	}
}

// rtRace reports whether the test binary was built with -race, under which
// sync.Pool drops items at random and regexp, which pools its matchers,
// allocates now and then.
func rtRace() bool {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range info.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
}

func TestRouterFindAllocs(t *testing.T) {
	r := rtRouter(t, rtSet...)
	tests := []struct {
		name, method, path string
		pooled             bool // matches a regex
	}{
		{"static", "GET", "/a/b/c", false},
		{"param", "GET", "/u/42", false},
		{"backtrack", "GET", "/a/b/d", false},
		{"tail", "GET", "/f/a/b/c", false},
		{"regex", "GET", "/n/123", true},
		{"regex backtrack", "GET", "/q/12/view", true},
		{"405", "PUT", "/m", false},
		{"404", "GET", "/nope/x/y", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.pooled && rtRace() {
				t.Skip("regexp allocates under -race: sync.Pool drops items")
			}
			ps := &params{list: make([]param, 0, 4)}
			allocs := testing.AllocsPerRun(100, func() {
				ps.list = ps.list[:0]
				r.find(tt.method, tt.path, ps)
			})
			if allocs != 0 {
				t.Errorf("find(%s %s) allocates %v times, want 0", tt.method, tt.path, allocs)
			}
		})
	}
}

// rtFuzzSet is rtSet without regexes that hold a '/', which rtRef cannot
// split.
var rtFuzzSet = slices.DeleteFunc(slices.Clone(rtSet), func(s string) bool {
	return strings.Contains(s, "[^/]")
})

// rtRef is a slow reference for find: it matches the path against every
// pattern on its own and keeps the match of highest priority, comparing
// segments left to right (static, then regexes in registration order, then
// plain parameter, then tail). It returns the result as rtResult does, with
// a bare "405" for a method that is not allowed.
func rtRef(specs []string, method, path string) string {
	if path == "" || path[0] != '/' {
		return "404"
	}
	segs := strings.Split(path[1:], "/")

	var best string
	var bestRank []int
	for _, spec := range specs {
		_, pattern, _ := strings.Cut(spec, " ")
		rank, params, ok := rtRefMatch(specs, pattern, segs)
		if ok && (bestRank == nil || slices.Compare(rank, bestRank) < 0) {
			best, bestRank = pattern+params, rank
		}
	}
	if bestRank == nil {
		return "404"
	}
	pattern, params, _ := strings.Cut(best, " ")
	if params != "" {
		params = " " + params
	}
	candidates := []string{method, "ANY"}
	if method == "HEAD" {
		candidates = []string{"HEAD", "GET", "ANY"}
	}
	for _, m := range candidates {
		if slices.Contains(specs, m+" "+pattern) {
			return m + " " + pattern + params
		}
	}
	return "405"
}

// rtRefMatch matches one pattern against the path's segments. It returns
// the match's rank, one number per segment, smaller first, and its
// parameters as " name=value" pairs.
func rtRefMatch(specs []string, pattern string, segs []string) ([]int, string, bool) {
	psegs := strings.Split(pattern[1:], "/")
	var rank []int
	var params strings.Builder
	for i, p := range psegs {
		if i >= len(segs) {
			return nil, "", false
		}
		body, isParam := strings.CutPrefix(p, "{")
		body = strings.TrimSuffix(body, "}")
		name, rx, isRegex := strings.Cut(body, ":")
		tail, isTail := strings.CutSuffix(body, "...")
		switch {
		case !isParam:
			if segs[i] != p {
				return nil, "", false
			}
			rank = append(rank, 0)
			continue
		case isTail && !isRegex:
			rank = append(rank, 1<<30)
			fmt.Fprintf(&params, " %s=%s", tail, strings.Join(segs[i:], "/"))
			return rank, params.String(), true
		case segs[i] == "":
			return nil, "", false
		case isRegex:
			if !regexp.MustCompile(`^(?:` + rx + `)$`).MatchString(segs[i]) {
				return nil, "", false
			}
			rank = append(rank, 1+rtRefFirst(specs, psegs[:i+1]))
		default:
			rank = append(rank, 1<<29)
		}
		fmt.Fprintf(&params, " %s=%s", name, segs[i])
	}
	return rank, params.String(), len(psegs) == len(segs)
}

// rtRefFirst returns the index of the first spec whose pattern starts with
// the segments prefix: the registration order of the trie node they lead to.
func rtRefFirst(specs []string, prefix []string) int {
	want := "/" + strings.Join(prefix, "/")
	for i, spec := range specs {
		_, pattern, _ := strings.Cut(spec, " ")
		if pattern == want || strings.HasPrefix(pattern, want+"/") {
			return i
		}
	}
	panic("no spec for " + want)
}

func FuzzRouterFind(f *testing.F) {
	for _, s := range []string{
		"/", "/a", "/a/", "/a/b/c", "/a/b/d", "/u/42", "/u/a%2Fb", "/n/12a", "/z/123",
		"/f/", "/f/a/b/c", "/p/new/x", "/p/12", "/r/12ab", "/q/12/view", "/s/x/z",
		"/w/nope/", "/w/x", "/c/b", "/m", "/h", "/mixed", "/esc/{", "//", "", "*", "/a//b/",
	} {
		for _, m := range []string{"GET", "HEAD", "POST", "PUT"} {
			f.Add(m, s)
		}
	}
	r := rtRouter(f, rtFuzzSet...)
	f.Fuzz(func(t *testing.T, method, path string) {
		held := param{"held", 0, 0}
		ps := &params{list: []param{held}}
		rt, allow := r.find(method, path, ps)

		// Parameters lie within the path, in order, after what was held.
		if ps.list[0] != held {
			t.Fatalf("find(%q, %q) overwrote a held parameter: %v", method, path, ps.list)
		}
		last := 0
		for _, p := range ps.list[1:] {
			if p.start < last || p.end < p.start || p.end > len(path) {
				t.Fatalf("find(%q, %q) param %v out of the path (after %d)", method, path, p, last)
			}
			last = p.end
		}
		if rt == nil && len(ps.list) != 1 {
			t.Fatalf("find(%q, %q) = nil with params %v", method, path, ps.list)
		}
		if rt == nil && allow != "" && !strings.Contains(allow, "OPTIONS") {
			t.Fatalf("find(%q, %q) allow = %q, want OPTIONS in it", method, path, allow)
		}

		// The trie agrees with the slow reference.
		ps.list = ps.list[1:]
		got := rtResult(rt, allow, path, ps)
		if rt == nil && allow != "" {
			got = "405"
		}
		if want := rtRef(rtFuzzSet, method, path); got != want {
			t.Fatalf("find(%q, %q) = %q, reference says %q", method, path, got, want)
		}
	})
}

// rtRouteCounts are the route set sizes of the benchmarks: the time per
// lookup should not grow with them.
var rtRouteCounts = []int{10, 100, 1000, 10000}

func BenchmarkRouterStatic(b *testing.B) {
	for _, n := range rtRouteCounts {
		b.Run(fmt.Sprintf("routes=%d", n), func(b *testing.B) {
			r := newRouter()
			paths := make([]string, n)
			for i := range n {
				paths[i] = fmt.Sprintf("/api/v1/res%d/items", i)
				r.add(rtRoute("GET " + paths[i]))
			}
			rtBench(b, r, paths, 0)
		})
	}
}

func BenchmarkRouterParams(b *testing.B) {
	for _, n := range rtRouteCounts {
		b.Run(fmt.Sprintf("routes=%d", n), func(b *testing.B) {
			r := newRouter()
			paths := make([]string, n)
			for i := range n {
				r.add(rtRoute(fmt.Sprintf("GET /api/v1/res%d/{id}/items/{item}", i)))
				paths[i] = fmt.Sprintf("/api/v1/res%d/%d/items/item-%d", i, 1000+i, i)
			}
			rtBench(b, r, paths, 2)
		})
	}
}

// rtBench looks up 16 of paths, spread over the route set, in turn; each
// must match a route with nparams parameters. Cycling through a few paths
// rather than all of them keeps the nodes in cache, so that the figures show
// the cost of the lookup itself, which must not grow with the route count,
// rather than that of the cache misses a large route set brings.
func rtBench(b *testing.B, r *router, all []string, nparams int) {
	var paths []string
	for i := 0; i < len(all); i += max(1, len(all)/16) {
		paths = append(paths, all[i])
	}
	ps := &params{list: make([]param, 0, 8)}
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		ps.list = ps.list[:0]
		if rt, _ := r.find("GET", paths[i], ps); rt == nil || len(ps.list) != nparams {
			b.Fatalf("find(%q) = %v with %d params, want a route with %d",
				paths[i], rt, len(ps.list), nparams)
		}
		if i++; i == len(paths) {
			i = 0
		}
	}
}
