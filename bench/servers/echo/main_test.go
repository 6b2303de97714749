package main

import (
	"testing"

	"github.com/lanehttp/lane/bench/internal/servetest"
)

func TestAnswers(t *testing.T) { servetest.Check(t, run) }
