package process

import (
	"bytes"
	"os"
	"strconv"
)

// zombie reports whether pid has exited but was not reaped yet, which
// happens to a daemon whose parent, the container's first process, reaps
// nothing.
func zombie(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// The state follows the command name, which is in parentheses and may
	// itself hold spaces and parentheses.
	i := bytes.LastIndexByte(b, ')')
	return i >= 0 && i+2 < len(b) && b[i+2] == 'Z'
}
