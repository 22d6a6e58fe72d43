package tool

import (
	"slices"
	"strings"
	"testing"
)

func TestSecretName(t *testing.T) {
	for _, n := range []string{
		"OPENAI_API_KEY", "ANTHROPIC_API_KEY", "anthropic_api_key", "FRUGAL_X", "FRUGAL_DATABASE_URL",
		"AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "GITHUB_TOKEN", "GH_TOKEN", "HF_TOKEN", "MY_SERVICE_TOKEN",
		"DB_PASSWORD", "PGPASSWORD", "CLIENT_SECRET", "SSH_AUTH_SOCK", "NPM_TOKEN", "STRIPE_KEY",
		"GOOGLE_APPLICATION_CREDENTIALS", "DATABASE_URL", "SENTRY_DSN", "KUBECONFIG", "X_APIKEY",
	} {
		if !secretName(n) {
			t.Errorf("%s passes", n)
		}
	}
	for _, n := range []string{"PATH", "HOME", "LANG", "LC_ALL", "TERM", "GOCACHE", "GOFLAGS", "GOPATH", "CGO_ENABLED", "TZ", "KEYBOARD"} {
		if secretName(n) {
			t.Errorf("%s refused", n)
		}
	}
}

func TestScrubEnv(t *testing.T) {
	parent := []string{
		"PATH=/usr/bin:/bin", "HOME=/home/u", "LANG=C.UTF-8", "LC_CTYPE=C.UTF-8", "TERM=xterm",
		"OPENAI_API_KEY=sk-proj-0123456789", "FRUGAL_HOME=/home/u/.frugal", "RANDOM_VAR=x",
		"GOFLAGS=-mod=mod", "LEAK=copy:sk-proj-0123456789", "SHORT_TOKEN=abc", "GITHUB_WORKSPACE=/usr/bin",
	}
	env := scrubEnv(parent, []string{"RANDOM_VAR", "SET=1", "OPENAI_API_KEY", "LEAK", "NOT_IN_PARENT"}, "/h", "/t")
	want := []string{
		"GOCACHE=/home/u/.cache/go-build", "GOENV=/home/u/.config/go/env", "GOFLAGS=-mod=mod",
		"GOMODCACHE=/home/u/go/pkg/mod", "GOPATH=/home/u/go", "HOME=/h", "LANG=C.UTF-8",
		"LC_CTYPE=C.UTF-8", "PATH=/usr/bin:/bin", "RANDOM_VAR=x", "SET=1", "TERM=xterm", "TMPDIR=/t",
	}
	if !slices.Equal(env, want) {
		t.Errorf("scrubEnv =\n%s\nwant\n%s", strings.Join(env, "\n"), strings.Join(want, "\n"))
	}
	// Explicit Go locations are kept as they are.
	env = scrubEnv([]string{"HOME=/home/u", "GOCACHE=/c", "GOPATH=/p1:/p2"}, nil, "/h", "/t")
	if !slices.Contains(env, "GOCACHE=/c") || !slices.Contains(env, "GOMODCACHE=/p1/pkg/mod") || !slices.Contains(env, "PATH=/usr/local/bin:/usr/bin:/bin") {
		t.Errorf("scrubEnv = %v", env)
	}
}

func TestProbeWithoutBwrap(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	if _, err := probe(); err == nil || !strings.Contains(err.Error(), "bwrap not found") {
		t.Errorf("probe without bwrap: %v", err)
	}
}
