package lane_test

import (
	"fmt"

	"github.com/lanehttp/lane"
)

// A Hyperlane server config loads as is. Absent keys stay zero, which
// means the default; Resolved shows the values in effect.
func ExampleParseConfig() {
	c, err := lane.ParseConfig([]byte(`{"address": "0.0.0.0:80", "nodelay": true, "ttl": 64}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	r := c.Resolved()
	fmt.Println(r.Name, r.Address, *r.NoDelay, r.TTL)
	fmt.Println(r.MaxConnections, r.ShutdownGrace, r.Request.MaxBodySize)
	// Output:
	// 0.0.0.0:80 0.0.0.0:80 true 64
	// 10000 10s 2097152
}

// Errors name the key that is wrong, nested keys by their path.
func ExampleParseConfig_errors() {
	for _, doc := range []string{
		`{"nodelay": "yes"}`,
		`{"nodelay2": true}`,
		`{"request": {"max_body_size": -5}}`,
		`{"ttl": 64, "ttl": 128}`,
	} {
		_, err := lane.ParseConfig([]byte(doc))
		fmt.Println(err)
	}
	// Output:
	// lane: config: "nodelay": want a boolean, got string
	// lane: config: unknown key "nodelay2"
	// lane: config: "request.max_body_size" must be positive or -1, got -5
	// lane: config: duplicate key "ttl"
}

// A preset applies before the other keys of its object, wherever it
// stands; -1 turns a limit off.
func ExampleParseRequestConfig() {
	rc, err := lane.ParseRequestConfig([]byte(`{
		"max_body_size": 52428800,
		"idle_timeout_ms": -1,
		"preset": "high_security"
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rc.MaxBodySize, rc.MaxHeaderCount, rc.ReadTimeout)
	fmt.Println(rc.IdleTimeout == lane.NoLimit)
	// Output:
	// 52428800 50 5s
	// true
}

func ExampleJoinHostPort() {
	fmt.Println(lane.JoinHostPort("0.0.0.0", 80))
	fmt.Println(lane.JoinHostPort("::1", 8080))
	fmt.Println(lane.JoinHostPort("[::1]", 8080))
	fmt.Println(lane.JoinHostPort("", 8080))
	// Output:
	// 0.0.0.0:80
	// [::1]:8080
	// [::1]:8080
	// :8080
}
