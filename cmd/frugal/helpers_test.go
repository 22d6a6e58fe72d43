package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// cli runs one frugal command line in-process and returns its exit code
// and output.
func cli(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return cliStdin(t, "", args...)
}

// cliStdin is cli with stdin.
func cliStdin(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}
