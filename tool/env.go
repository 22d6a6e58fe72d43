package tool

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// passEnv are the variables a command inherits from frugal's environment
// when set: enough for shells, locales and the Go toolchain.
var passEnv = []string{
	"PATH", "LANG", "LANGUAGE", "TERM", "TZ",
	"GOCACHE", "GOPATH", "GOMODCACHE", "GOFLAGS", "GOTOOLCHAIN", "GOROOT", "GOENV",
	"GOPRIVATE", "GONOPROXY", "GONOSUMDB", "GOWORK", "GOEXPERIMENT", "GODEBUG",
	"GOOS", "GOARCH", "GOAMD64", "GOARM64", "CGO_ENABLED",
}

// deniedNamePrefixes, deniedNameSuffixes and deniedNameParts name variables
// that hold credentials. They are refused even when allow-listed, so that a
// mistake in Options.Env cannot hand a key to a command.
var (
	deniedNamePrefixes = []string{
		"FRUGAL_", "AWS_", "AZURE_", "GOOGLE_", "GCP_", "GCLOUD_", "CLOUDSDK_",
		"OPENAI_", "ANTHROPIC_", "DEEPSEEK_", "OPENROUTER_", "GROQ_", "TOGETHER_",
		"MISTRAL_", "GEMINI_", "COHERE_", "HF_", "HUGGING", "GITHUB_", "GH_", "GITLAB_",
		"NPM_", "SSH_", "GPG_", "VAULT_",
	}
	deniedNameSuffixes = []string{"_KEY", "_PAT", "_DSN", "DATABASE_URL", "_AUTH"}
	deniedNameParts    = []string{
		"API_KEY", "APIKEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL",
		"PRIVATE_KEY", "ACCESS_KEY", "SESSION_KEY",
	}
	deniedNames = []string{"KUBECONFIG", "NETRC", "GIT_ASKPASS", "SSH_ASKPASS", "PGPASS"}
	// secretValue matches values shaped like well-known credentials and URLs
	// that carry a password.
	secretValue = regexp.MustCompile(`^(sk-|sk_live_|sk_test_|rk_live_|ghp_|gho_|ghs_|ghu_|github_pat_|glpat-|xox[abpr]-|AKIA|ASIA|AIza|hf_)|://[^/@\s:]+:[^/@\s]+@`)
)

// secretName reports whether an environment variable is withheld from
// commands: it looks like a credential, or belongs to a provider, cloud or
// forge whose variables often are.
func secretName(name string) bool {
	n := strings.ToUpper(name)
	for _, p := range deniedNamePrefixes {
		if strings.HasPrefix(n, p) {
			return true
		}
	}
	return credentialName(n)
}

// credentialName reports whether an upper-case name itself says it holds a
// credential; the values of such variables are searched for in every other
// variable passed on.
func credentialName(n string) bool {
	if slices.Contains(deniedNames, n) {
		return true
	}
	for _, s := range deniedNameSuffixes {
		if strings.HasSuffix(n, s) {
			return true
		}
	}
	for _, p := range deniedNameParts {
		if strings.Contains(n, p) {
			return true
		}
	}
	return false
}

// scrubEnv builds a command's environment from parent (os.Environ form):
// the allow-list, LC_*, the Go locations frugal's own HOME implies (a
// command gets a private HOME, which would otherwise move them), and extra
// ("NAME" passes the parent's value, "NAME=value" sets one). home and tmp
// become HOME and TMPDIR. A variable whose name looks like a credential,
// whose value looks like one, or whose value contains the value of a
// credential variable of the parent is dropped whatever asked for it.
func scrubEnv(parent, extra []string, home, tmp string) []string {
	pv := make(map[string]string, len(parent))
	var secrets []string
	for _, kv := range parent {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			continue
		}
		pv[k] = v
		if credentialName(strings.ToUpper(k)) && len(v) >= 8 {
			secrets = append(secrets, v)
		}
	}
	out := map[string]string{}
	for _, k := range passEnv {
		if v, ok := pv[k]; ok {
			out[k] = v
		}
	}
	for k, v := range pv {
		if strings.HasPrefix(k, "LC_") {
			out[k] = v
		}
	}
	goLocations(pv, out)
	for _, e := range extra {
		k, v, set := strings.Cut(e, "=")
		if k == "" {
			continue
		}
		if set {
			out[k] = v
		} else if pvv, ok := pv[k]; ok {
			out[k] = pvv
		}
	}
	out["HOME"] = home
	out["TMPDIR"] = tmp
	if _, ok := out["PATH"]; !ok {
		out["PATH"] = "/usr/local/bin:/usr/bin:/bin"
	}
	env := make([]string, 0, len(out))
	for k, v := range out {
		if secretName(k) || secretValue.MatchString(v) || containsAny(v, secrets) {
			continue
		}
		env = append(env, k+"="+v)
	}
	slices.Sort(env)
	return env
}

// goLocations pins the Go toolchain's cache, module cache and env file to
// where they are for frugal itself: their defaults derive from HOME, which a
// command gets a private one of, and a cold build cache per command would
// make every `go test` gate slow.
func goLocations(pv, out map[string]string) {
	home := pv["HOME"]
	if _, ok := out["GOCACHE"]; !ok {
		if d, err := userDir(pv["XDG_CACHE_HOME"], home, ".cache"); err == nil {
			out["GOCACHE"] = filepath.Join(d, "go-build")
		}
	}
	if _, ok := out["GOENV"]; !ok {
		if d, err := userDir(pv["XDG_CONFIG_HOME"], home, ".config"); err == nil {
			out["GOENV"] = filepath.Join(d, "go", "env")
		}
	}
	gopath, ok := out["GOPATH"]
	if !ok && home != "" {
		gopath = filepath.Join(home, "go")
		out["GOPATH"] = gopath
	}
	if _, ok := out["GOMODCACHE"]; !ok && gopath != "" {
		first, _, _ := strings.Cut(gopath, string(os.PathListSeparator))
		out["GOMODCACHE"] = filepath.Join(first, "pkg", "mod")
	}
}

// userDir mirrors os.UserCacheDir and os.UserConfigDir on Unix for a given
// environment.
func userDir(xdg, home, sub string) (string, error) {
	if xdg != "" && filepath.IsAbs(xdg) {
		return xdg, nil
	}
	if home == "" {
		return "", os.ErrNotExist
	}
	return filepath.Join(home, sub), nil
}

func containsAny(v string, subs []string) bool {
	for _, s := range subs {
		if strings.Contains(v, s) {
			return true
		}
	}
	return false
}
