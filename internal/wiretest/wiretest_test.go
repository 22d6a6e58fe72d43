package wiretest_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/frugal-dev/frugal/internal/wiretest"
)

func TestMain(m *testing.M) { wiretest.Main(m) }

func TestSameJSON(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{`{"a":1,"b":null}`, `{"a":1}`, true},
		{`{"a":[{"x":null,"y":2}]}`, ` {"a":[{"y":2}]}`, true},
		{`{"a":1}`, `{"a":2}`, false},
		{`{"a":[1,null]}`, `{"a":[1]}`, false}, // nulls in arrays count
		{`{"a":1,"b":0}`, `{"a":1}`, false},
	} {
		if got := wiretest.SameJSON(t, []byte(tc.a), []byte(tc.b)); got != tc.want {
			t.Errorf("SameJSON(%s, %s) = %v", tc.a, tc.b, got)
		}
	}
}

func TestServerRecords(t *testing.T) {
	s := wiretest.NewServer(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") })
	for _, body := range []string{"one", "two"} {
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/p/"+body, strings.NewReader(body))
		req.Header.Set("X-N", body)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	got := s.Requests()
	if len(got) != 2 || string(got[0].Body) != "one" || got[1].Path != "/p/two" || got[1].Header.Get("X-N") != "two" {
		t.Errorf("requests %+v", got)
	}
	if last := s.Last(t); string(last.Body) != "two" {
		t.Errorf("last %+v", last)
	}
}

func TestReencode(t *testing.T) {
	type v struct {
		A int `json:"a"`
	}
	if got := string(wiretest.Reencode[v](t, []byte(`{"a":1,"b":2}`))); got != `{"a":1}` {
		t.Errorf("Reencode = %s", got)
	}
}
