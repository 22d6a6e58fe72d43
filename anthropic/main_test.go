package anthropic_test

import (
	"testing"

	"github.com/frugal-dev/frugal/internal/wiretest"
)

// TestMain fails the package when a test leaves goroutines behind.
func TestMain(m *testing.M) { wiretest.Main(m) }
