package config

import (
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// MinInterval is the shortest interval an `every` schedule may have.
const MinInterval = time.Minute

// Schedule is a parsed agent schedule: either a fixed interval ("every 6h")
// or a cron expression ("0 */6 * * *", "@daily").
type Schedule struct {
	Spec  string        // as written
	Every time.Duration // the interval of an `every` schedule; 0 for cron
	cron  cron.Schedule
}

// Next returns the first activation strictly after t. An `every` schedule
// counts from t (the end of the last run), a cron schedule follows the
// wall clock of its time zone.
func (s Schedule) Next(t time.Time) time.Time {
	if s.Every > 0 {
		return t.Add(s.Every)
	}
	if s.cron == nil {
		return time.Time{}
	}
	return s.cron.Next(t)
}

// ParseSchedule parses an agent's schedule: `every <duration>` (at least
// one minute; "every 6h", "every 1d"), a 5-field cron expression
// ("30 2 * * 1-5"), or a descriptor (@hourly, @daily, @midnight, @weekly,
// @monthly, @yearly). Cron times are in the server's local time zone unless
// the spec starts with CRON_TZ=<zone>.
func ParseSchedule(spec string) (Schedule, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return Schedule{}, fmt.Errorf("empty schedule (write e.g. \"every 6h\", \"@daily\" or \"0 */6 * * *\")")
	}
	if spec == "every" || spec == "@every" {
		return Schedule{}, fmt.Errorf("%s needs a duration (e.g. every 6h)", spec)
	}
	if rest, ok := cutEvery(spec); ok {
		d, err := ParseDuration(rest)
		if err != nil {
			return Schedule{}, err
		}
		if d < MinInterval {
			return Schedule{}, fmt.Errorf("%s is shorter than the minimum interval of %s", quote(rest), fmtDuration(MinInterval))
		}
		return Schedule{Spec: spec, Every: d}, nil
	}
	body := spec
	if strings.HasPrefix(spec, "CRON_TZ=") || strings.HasPrefix(spec, "TZ=") {
		// robfig/cron slices out of range on a zone with nothing after it.
		_, after, ok := strings.Cut(spec, " ")
		if !ok || strings.TrimSpace(after) == "" {
			return Schedule{}, fmt.Errorf("%s: a time zone needs a schedule after it", quote(spec))
		}
		body = strings.TrimSpace(after)
	}
	if !strings.HasPrefix(body, "@") {
		if n := len(strings.Fields(body)); n != 5 {
			return Schedule{}, fmt.Errorf("%s has %d fields; a cron expression has 5 (minute hour day-of-month month day-of-week), or write \"every 6h\"", quote(spec), n)
		}
	}
	c, err := parseCron(spec)
	if err != nil {
		return Schedule{}, fmt.Errorf("%s is not a schedule: %v", quote(spec), err)
	}
	return Schedule{Spec: spec, cron: c}, nil
}

// cutEvery recognises "every X" and "@every X".
func cutEvery(spec string) (string, bool) {
	for _, p := range []string{"every ", "@every "} {
		if rest, ok := strings.CutPrefix(spec, p); ok {
			return strings.TrimSpace(rest), true
		}
	}
	return "", false
}

func parseCron(spec string) (s cron.Schedule, err error) {
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, fmt.Errorf("cron parser failed: %v", r)
		}
	}()
	return cron.ParseStandard(spec)
}
