package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"logbuch/domain"
	"logbuch/web/i18n"
)

// fuzzContentTypes are the content types FuzzDecodeCommand picks from.
var fuzzContentTypes = []string{
	"application/json",
	"application/x-www-form-urlencoded",
	"text/plain",
}

// newCommandRequest builds a command request the way the real handler sees
// it: the body bounded by maxCommandBody.
func newCommandRequest(contentType string, body []byte) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/lotsen", bytes.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	r.Body = http.MaxBytesReader(httptest.NewRecorder(), r.Body, maxCommandBody)
	return r
}

// trailingCloser reports whether data is one JSON value followed (after
// white space) by a '}' or ']'. encoding/json's Decoder.More reports false
// there, so decodeStrictJSON accepts such input although it is not JSON.
func trailingCloser(data []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(data))
	var v json.RawMessage
	if err := dec.Decode(&v); err != nil {
		return false
	}
	rest := bytes.TrimLeft(data[dec.InputOffset():], " \t\r\n")
	return len(rest) > 0 && (rest[0] == '}' || rest[0] == ']')
}

// german is a message as a German reader sees it.
func german(m domain.Msg) string { return i18n.For(i18n.German).Msg(m) }

// checkRequestError asserts the properties every refusal of decodeCommand has.
func checkRequestError(t *testing.T, err error) *requestError {
	t.Helper()
	var re *requestError
	if !errors.As(err, &re) {
		t.Fatalf("error %T %q is not a *requestError", err, err)
	}
	message := german(re.msg)
	switch re.status {
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType:
	default:
		t.Fatalf("status %d (%q), want 400, 413 or 415", re.status, message)
	}
	if strings.TrimSpace(message) == "" || !i18n.For(i18n.German).Has(re.msg.Key) {
		t.Fatalf("status %d with an empty message (%s)", re.status, re.msg.Key)
	}
	if !utf8.ValidString(message) {
		t.Fatalf("message is not valid UTF-8: %q", message)
	}
	if !strings.HasPrefix(re.Error(), re.msg.Key) {
		t.Fatalf("Error() = %q, want the message %s for the log", re.Error(), re.msg.Key)
	}
	return re
}

func FuzzDecodeCommand(f *testing.F) {
	f.Add(uint8(0), []byte(`{"name":"Mara Feld","amt":"Kulturamt","city":"Konstanz","role":"lotse"}`))
	f.Add(uint8(0), []byte(`{"name":"Mara","x":1}`))
	f.Add(uint8(0), []byte(`{"name":5}`))
	f.Add(uint8(0), []byte(`{"name":"a"} {"name":"b"}`))
	f.Add(uint8(0), []byte("{\"name\":\"\xff\"}"))
	f.Add(uint8(0), []byte(`null`))
	f.Add(uint8(1), []byte(`name=Mara+Feld&amt=Kulturamt&city=Konstanz&role=lotse&command_id=abc-1`))
	f.Add(uint8(1), []byte(`name=a&name=b`))
	f.Add(uint8(1), []byte(`nope=1`))
	f.Add(uint8(1), []byte(`name=%zz`))
	f.Add(uint8(1), []byte(`%ff%fe=1`))
	f.Add(uint8(2), []byte(`name=Mara`))
	f.Fuzz(func(t *testing.T, ctSel uint8, body []byte) {
		ct := fuzzContentTypes[int(ctSel)%len(fuzzContentTypes)]
		var cmd domain.JoinLotse
		commandID, values, err := decodeCommand(newCommandRequest(ct, body), &cmd)
		if err != nil {
			re := checkRequestError(t, err)
			if ct == "text/plain" && re.status != http.StatusUnsupportedMediaType {
				t.Fatalf("text/plain: status %d, want 415", re.status)
			}
			if ct != "text/plain" && re.status == http.StatusUnsupportedMediaType {
				t.Fatalf("%s: status 415", ct)
			}
			return
		}
		switch ct {
		case "application/json":
			if !utf8.Valid(body) {
				t.Fatalf("accepted invalid UTF-8: %q", body)
			}
			if !json.Valid(body) {
				t.Fatalf("accepted a body that is not one JSON value: %q", body)
			}
			if values != nil {
				t.Fatalf("JSON gave form values %v", values)
			}
			if commandID != "" {
				t.Fatalf("JSON command id %q without an Idempotency-Key header", commandID)
			}
			// The same body read by plain encoding/json gives the same command.
			var want domain.JoinLotse
			if err := json.Unmarshal(body, &want); err != nil {
				t.Fatalf("accepted, but encoding/json refuses it: %v (%q)", err, body)
			}
			if want != cmd {
				t.Fatalf("decoded %+v, encoding/json reads %+v", cmd, want)
			}
		case "application/x-www-form-urlencoded":
			if values == nil {
				t.Fatalf("form gave nil values")
			}
			fields := jsonFields(&domain.JoinLotse{})
			got := jsonFields(&cmd)
			for key, v := range values {
				if _, ok := fields[key]; !ok {
					t.Fatalf("value for %q, which is no json tag of the command (%v)", key, values)
				}
				if s := got[key].String(); s != v {
					t.Fatalf("field %q = %q, but the value shown again is %q", key, s, v)
				}
			}
			for key, field := range got {
				if _, sent := values[key]; !sent && field.String() != "" {
					t.Fatalf("field %q set to %q without being sent", key, field.String())
				}
			}
		default:
			t.Fatalf("%s accepted: %+v %v", ct, cmd, values)
		}
	})
}

func FuzzDecodeClientMessage(f *testing.F) {
	f.Add([]byte(`{"t":"sub","views":["roster"],"since":12}`))
	f.Add([]byte(`{"t":"sub","views":["lotse/01936f0e-0000-7000-8000-000000000001"]}`))
	f.Add([]byte(`{"t":"sub","views":["../x"]}`))
	f.Add([]byte(`{"t":"unsub","views":[]}`))
	f.Add([]byte(`{"t":"sub","x":1}`))
	f.Add([]byte(`{"t":"sub","since":-1}`))
	f.Add([]byte(`{"t":"sub"}{"t":"sub"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		msg, err := decodeClientMessage(data)
		if err != nil {
			return
		}
		if msg.Type != "sub" {
			t.Fatalf("accepted type %q", msg.Type)
		}
		for _, v := range msg.Views {
			if !validViewName(v) {
				t.Fatalf("accepted view %q", v)
			}
		}
		if !json.Valid(data) {
			t.Fatalf("accepted a message that is not one JSON value: %q", data)
		}
	})
}

func TestWantsJSON(t *testing.T) {
	cases := []struct {
		name, accept, contentType string
		want                      bool
	}{
		{"nothing", "", "", false},
		{"accept json", "application/json", "", true},
		{"accept json with form body", "application/json", "application/x-www-form-urlencoded", true},
		{"accept json and html", "text/html, application/json;q=0.9", "", false},
		{"browser", "text/html,application/xhtml+xml,*/*;q=0.8", "application/x-www-form-urlencoded", false},
		{"json body", "", "application/json", true},
		{"json body with charset", "", "application/json; charset=utf-8", true},
		{"json body, any answer", "*/*", "application/json", true},
		{"json body, html answer", "text/html", "application/json", false},
		{"form body", "", "application/x-www-form-urlencoded", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/lotsen", nil)
			if c.accept != "" {
				r.Header.Set("Accept", c.accept)
			}
			if c.contentType != "" {
				r.Header.Set("Content-Type", c.contentType)
			}
			if got := wantsJSON(r); got != c.want {
				t.Errorf("wantsJSON(Accept %q, Content-Type %q) = %v, want %v", c.accept, c.contentType, got, c.want)
			}
		})
	}
}

func TestJSONProblem(t *testing.T) {
	long := strings.Repeat("ä", 30) // 60 bytes: clipped inside a rune
	cases := []struct {
		name, body, want string
	}{
		{"unknown field", `{"nope":1}`, "Unbekanntes Feld „nope“."},
		{"wrong type", `{"name":5}`, "Das Feld „name“ hat den falschen Typ."},
		{"wrong type of role", `{"role":["admin"]}`, "Das Feld „role“ hat den falschen Typ."},
		{"syntax", `{"name":`, "Die Anfrage ist kein gültiges JSON-Objekt für diese Aktion."},
		{"trailing data", `{"name":"a"} x`, "Die Anfrage ist kein gültiges JSON-Objekt für diese Aktion."},
		{"empty", ``, "Die Anfrage ist kein gültiges JSON-Objekt für diese Aktion."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := decodeStrictJSON([]byte(c.body), &domain.JoinLotse{})
			if err == nil {
				t.Fatalf("decodeStrictJSON(%q) accepted it", c.body)
			}
			if got := german(jsonProblem(err)); got != c.want {
				t.Errorf("jsonProblem(%v) = %q, want %q", err, got, c.want)
			}
		})
	}
	t.Run("long unknown field is clipped", func(t *testing.T) {
		err := decodeStrictJSON([]byte(`{"`+long+`":1}`), &domain.JoinLotse{})
		got := german(jsonProblem(err))
		if !strings.HasPrefix(got, "Unbekanntes Feld ") || !strings.HasSuffix(got, "…“.") {
			t.Errorf("jsonProblem = %q, want a clipped field name", got)
		}
		if !utf8.ValidString(got) || strings.Contains(got, long) {
			t.Errorf("jsonProblem = %q: not clipped to valid UTF-8", got)
		}
	})
}

func TestValidViewName(t *testing.T) {
	cases := []struct {
		view string
		want bool
	}{
		{"roster", true},
		{"lotse/01936f0e-0000-7000-8000-000000000001", true},
		{"lotse/abc_DEF-123", true},
		{"lotse/" + strings.Repeat("a", 64), true},
		{"lotse/" + strings.Repeat("a", 65), false},
		{"lotse/", false},
		{"lotse/a.b", false},
		{"lotse/a/b", false},
		{"lotse/*", false},
		{"lotse/>", false},
		{"lotse/ä", false},
		{"../x", false},
		{"lotse/../x", false},
		{"Roster", false},
		{"roster/", false},
		{" roster", false},
		{"", false},
		{"veranstaltung/01936f0e-0000-7000-8000-000000000001/bewertung", true},
		{"veranstaltung/a.b/bewertung", false},
		{"veranstaltung//bewertung", false},
		{"bewertungen", true},
		{"bewertungen/2023", true},
		{"bewertungen/23", false},
		{"bewertungen/1999", false},
		{"bewertungen/2023/", false},
		{"bewertungen/", false},
	}
	for _, c := range cases {
		if got := validViewName(c.view); got != c.want {
			t.Errorf("validViewName(%q) = %v, want %v", c.view, got, c.want)
		}
	}
}

func TestDecodeCommand(t *testing.T) {
	big := bytes.Repeat([]byte("a"), maxCommandBody+1)
	cases := []struct {
		name, contentType string
		body              []byte
		status            int    // 0: accepted
		inMessage         string // part of the German message
	}{
		{"duplicate form field", "application/x-www-form-urlencoded", []byte("name=a&name=b"), 400, "„name“ wurde mehrfach gesendet"},
		{"unknown form field", "application/x-www-form-urlencoded", []byte("name=a&admin=1"), 400, "Unbekanntes Feld „admin“"},
		{"broken form", "application/x-www-form-urlencoded", []byte("name=%zz"), 400, "nicht gelesen werden"},
		{"oversized form", "application/x-www-form-urlencoded", append([]byte("name="), big...), 413, "zu groß (höchstens 64 KB)"},
		{"oversized JSON", "application/json", append(append([]byte(`{"name":"`), big...), `"}`...), 413, "zu groß (höchstens 64 KB)"},
		{"missing content type", "", []byte(`{"name":"a"}`), 415, "Formular oder JSON"},
		{"text/plain", "text/plain", []byte(`name=a`), 415, "Formular oder JSON"},
		{"invalid UTF-8 in JSON", "application/json", []byte("{\"name\":\"\xff\"}"), 400, "kein gültiges UTF-8"},
		{"unknown JSON field", "application/json", []byte(`{"name":"a","admin":true}`), 400, "Unbekanntes Feld „admin“."},
		{"two JSON values", "application/json", []byte(`{"name":"a"}{"name":"b"}`), 400, "kein gültiges JSON-Objekt"},
		{"JSON", "application/json; charset=utf-8", []byte(`{"name":"Mara","amt":"Kulturamt","city":"Konstanz","role":"lotse"}`), 0, ""},
		{"form", "application/x-www-form-urlencoded", []byte("name=Mara&amt=Kulturamt&city=Konstanz&role=lotse&command_id=k-1"), 0, ""},
		{"form body of exactly the limit", "application/x-www-form-urlencoded", append([]byte("name="), big[:maxCommandBody-5]...), 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var cmd domain.JoinLotse
			_, _, err := decodeCommand(newCommandRequest(c.contentType, c.body), &cmd)
			if c.status == 0 {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted %+v, want %d", cmd, c.status)
			}
			re := checkRequestError(t, err)
			if re.status != c.status || !strings.Contains(german(re.msg), c.inMessage) {
				t.Errorf("got %d %q, want %d with %q", re.status, german(re.msg), c.status, c.inMessage)
			}
		})
	}

	t.Run("form values and command id", func(t *testing.T) {
		var cmd domain.JoinLotse
		id, values, err := decodeCommand(newCommandRequest("application/x-www-form-urlencoded",
			[]byte("name=Mara+Feld&amt=Kulturamt&role=lotse&command_id=k-1")), &cmd)
		if err != nil {
			t.Fatal(err)
		}
		want := domain.JoinLotse{Name: "Mara Feld", Amt: "Kulturamt", Role: "lotse"}
		if id != "k-1" || cmd != want || !reflect.DeepEqual(values, map[string]string{"name": "Mara Feld", "amt": "Kulturamt", "role": "lotse"}) {
			t.Errorf("got id %q, %+v, %v", id, cmd, values)
		}
	})
	t.Run("JSON idempotency key", func(t *testing.T) {
		r := newCommandRequest("application/json", []byte(`{"name":"Mara"}`))
		r.Header.Set("Idempotency-Key", "7f1c9a52-join-1")
		var cmd domain.JoinLotse
		id, values, err := decodeCommand(r, &cmd)
		if err != nil || id != "7f1c9a52-join-1" || values != nil || cmd.Name != "Mara" {
			t.Errorf("got %q %v %+v %v", id, values, cmd, err)
		}
	})
	t.Run("body read error", func(t *testing.T) {
		r := httptest.NewRequest(http.MethodPost, "/lotsen", io.MultiReader(strings.NewReader(`{"na`), errReader{}))
		r.Header.Set("Content-Type", "application/json")
		_, _, err := decodeCommand(r, &domain.JoinLotse{})
		if re := checkRequestError(t, err); re.status != http.StatusBadRequest {
			t.Errorf("status %d, want 400", re.status)
		}
	})
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

// TestDecodeStrictJSONRejectsTrailingCloser: json.Decoder.More reports
// false before '}' and ']', so a check with More alone would accept bodies
// that are not JSON.
func TestDecodeStrictJSONRejectsTrailingCloser(t *testing.T) {
	for _, in := range []string{`{"name":"a"}}`, `{"name":"a"}]`, `{"name":"a"} ]garbage`, `{"t":"sub"}}`} {
		if !trailingCloser([]byte(in)) {
			t.Fatalf("trailingCloser(%q) = false", in)
		}
		if err := decodeStrictJSON([]byte(in), &struct {
			Name string `json:"name"`
			T    string `json:"t"`
		}{}); err == nil {
			t.Fatalf("decodeStrictJSON accepts %q", in)
		}
	}
}
