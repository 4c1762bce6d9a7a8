package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	"logbuch/domain"
	"logbuch/embed"
	"logbuch/projections"
)

// TestCrashSafetyUnderSIGKILL runs the real binary under load from several
// API clients and kills it with SIGKILL at random moments. Clients retry
// every command whose outcome they did not learn with the same
// Idempotency-Key, as a real client would. In the end the log must hold every
// acknowledged command exactly once, every retried command exactly once,
// nothing that was never sent, and the read models of a fresh start must
// equal a fold of the export.
//
// `make test` runs a few kills; LOGBUCH_SOAK=1 (make soak) runs 200, or
// LOGBUCH_SOAK_KILLS kills (a number), or kills for LOGBUCH_SOAK_KILLS (a
// duration such as 10m).
func TestCrashSafetyUnderSIGKILL(t *testing.T) {
	kills, soakFor := 5, time.Duration(0)
	if os.Getenv("LOGBUCH_SOAK") == "1" {
		kills = 200
		if v := os.Getenv("LOGBUCH_SOAK_KILLS"); v != "" {
			if n, err := strconv.Atoi(v); err == nil && n > 0 {
				kills = n
			} else if d, err := time.ParseDuration(v); err == nil && d > 0 {
				kills, soakFor = 0, d
			} else {
				t.Fatalf("LOGBUCH_SOAK_KILLS=%q: want a number of kills or a duration", v)
			}
		}
	}
	const clients, personsPerClient = 8, 3
	began := time.Now()
	bin := buildBinary(t)
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	p, err := startCrashProc(t, bin, dir, true)
	if err != nil {
		t.Fatal(err)
	}
	e := &crashEnv{client: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 2 * clients}}}
	defer e.client.CloseIdleConnections()
	e.setURL(p.url)

	// An API token for the demo admin, through the pages as a person would
	// get one; then admin accounts with tokens for the clients, several
	// each, so that the clients are busy rather than throttled when the
	// process dies (commands are rate-limited per person).
	admin := demoLogin(t, p.admin)
	adminToken := crashCreateToken(t, e, p.url, admin.Cookie)
	tokens := make([][]string, clients)
	for i := range tokens {
		for k := range personsPerClient {
			tokens[i] = append(tokens[i], crashClientToken(t, ctx, e, adminToken, fmt.Sprintf("%d-%d", i, k)))
		}
	}
	t.Logf("set up in %v (build included)", time.Since(began).Round(time.Millisecond))

	// The load: every client sends commands one after the other, each until
	// it gets a definite answer.
	var stop atomic.Bool
	ledgers := make([][]*crashCmd, clients)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ledgers[i] = e.runClient(ctx, i, tokens[i], &stop)
		}()
	}
	stopped := false
	stopClients := func() {
		if !stopped {
			stopped = true
			stop.Store(true)
			wg.Wait()
		}
	}
	defer func() { cancel(); stopClients() }()

	// The crashes.
	loadStart := time.Now()
	done, inFlightAtKill := 0, 0
	for soakFor > 0 && time.Since(loadStart) < soakFor || done < kills {
		time.Sleep(time.Duration(100+rand.IntN(500)) * time.Millisecond)
		select {
		case <-p.exited:
			t.Fatalf("logbuch died by itself before kill %d (%v):\n%s", done+1, p.cmd.ProcessState, p.logs.String())
		default:
		}
		e.setURL("")
		inFlightAtKill += int(e.inflight.Load())
		if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatalf("kill %d: %v", done+1, err)
		}
		select {
		case <-p.exited:
		case <-time.After(10 * time.Second):
			t.Fatalf("kill %d: the process did not die within 10 s", done+1)
		}
		done++
		if p, err = startCrashProc(t, bin, dir, false); err != nil {
			if strings.Contains(err.Error(), "in use by another Logbuch process") {
				t.Fatalf("BUG: restart after SIGKILL %d refused, the data dir lock was not released: %v", done, err)
			}
			t.Fatalf("restart after SIGKILL %d: %v", done, err)
		}
		e.setURL(p.url)
		if testing.Verbose() && done%25 == 0 {
			t.Logf("%d kills, %v", done, time.Since(loadStart).Round(time.Second))
		}
	}
	// The last start stays up: let the clients finish what they retry, then
	// stop the load.
	time.Sleep(300 * time.Millisecond)
	stopClients()
	var all []*crashCmd
	for _, l := range ledgers {
		all = append(all, l...)
	}
	all = append(all, e.setup...)

	ready := false
	for deadline := time.Now().Add(30 * time.Second); !ready && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if res, err := e.client.Get(p.url + "/readyz"); err == nil {
			ready = res.StatusCode == http.StatusOK
			res.Body.Close()
		}
	}
	if !ready {
		t.Fatalf("not ready after the last restart:\n%s", p.logs.String())
	}

	// Long after the crash a command sent again gets its first answer.
	resent := 0
	for _, ledger := range ledgers {
		picked := 0
		for _, pass := range []bool{true, false} { // retried ones first
			for _, c := range ledger {
				if picked == 8 || !c.Acked || (c.Failures > 0) != pass {
					continue
				}
				picked++
				again := &crashCmd{Key: c.Key}
				e.execute(ctx, again, c.token, c.path, c.body)
				if !again.Acked || !again.Replayed || again.Seq != c.Seq || again.ID != c.ID || again.Command != c.Command {
					t.Errorf("sent again, %s (%s) got %d seq %d id %s replayed %v; first answer seq %d id %s",
						c.Key, c.Kind, again.Status, again.Seq, again.ID, again.Replayed, c.Seq, c.ID)
				}
				resent++
			}
		}
	}

	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.exited:
		if !p.cmd.ProcessState.Success() {
			t.Errorf("exit after SIGTERM: %v\n%s", p.cmd.ProcessState, p.logs.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no exit within 30 s of SIGTERM")
	}

	// The record, as `logbuch export` writes it.
	var exported, exportErr bytes.Buffer
	export := exec.Command(bin, "export", "--data-dir", dir)
	export.Stdout, export.Stderr = &exported, &exportErr
	if err := export.Run(); err != nil {
		t.Fatalf("export: %v\n%s", err, exportErr.String())
	}
	msgs, err := embed.ReadExport(bytes.NewReader(exported.Bytes()))
	if err != nil {
		t.Fatalf("the export does not read back: %v", err)
	}
	crashCheckLog(t, msgs, all)

	// A rebuild from scratch equals a fold of the export, and shows exactly
	// the Lotsen and Ämter the answers imply.
	m := startLogbuchIn(t, dir)
	rebuilt, folded := m.Runner.Roster(), projections.FoldRoster(msgs)
	if !reflect.DeepEqual(rebuilt, folded) {
		t.Errorf("the read model after restart differs from a fold of the export:\nrebuilt %+v\nfolded  %+v", rebuilt, folded)
	}
	if got := lastSeq(t, m); len(msgs) == 0 || got != msgs[len(msgs)-1].Seq {
		t.Errorf("the log holds %d messages, the export %d", got, len(msgs))
	}
	crashCheckRoster(t, rebuilt, all)

	// Summary.
	acked, retried, appliedBefore, throttled, failed := 0, 0, 0, 0, 0
	for _, c := range all {
		throttled += c.Throttled
		switch {
		case !c.Acked:
			failed++
		case c.Failures > 0:
			retried++
			if c.Replayed {
				appliedBefore++
			}
			fallthrough
		default:
			acked++
		}
	}
	t.Logf("%d kills (%d requests in flight at the kills), %d commands acknowledged, %d retried after a crash with the same key (%d of them had been applied before the crash), %d failed; %d throttled answers (429/503), %d resent long after; %d messages in the log; %v",
		done, inFlightAtKill, acked, retried, appliedBefore, failed, throttled, resent, len(msgs), time.Since(began).Round(time.Millisecond))
}

// crashCmd is one command a client sent, with what it learned about it.
type crashCmd struct {
	Key    string
	Kind   string // "join" or "amt"
	Name   string // join: the name sent
	Target string // amt: the Lotse changed
	Amt    string // join: the Amt joined; amt: the new Amt
	token  string
	path   string
	body   string

	Acked     bool   // a 200 arrived
	Status    int    // the last status that arrived
	Seq       uint64 // the answer
	ID        string
	Command   string
	Replayed  bool   // the answer was marked Idempotent-Replayed
	Failures  int    // attempts without an answer: outcome unknown, retried
	Throttled int    // 429 and 503 answers, retried
	Err       string // why no 200 arrived
}

type crashEnv struct {
	client   *http.Client
	url      atomic.Pointer[string] // "" while the process is down
	inflight atomic.Int64
	setup    []*crashCmd
	// 503 answers, and those without the Retry-After a client needs.
	busy, busyWithoutRetryAfter atomic.Int64
}

func (e *crashEnv) setURL(u string) { e.url.Store(&u) }

func (e *crashEnv) currentURL() string {
	if u := e.url.Load(); u != nil {
		return *u
	}
	return ""
}

type crashAnswer struct {
	Seq     uint64 `json:"seq"`
	ID      string `json:"id"`
	Command string `json:"command"`
}

// post sends one JSON command; an error means no answer arrived.
func (e *crashEnv) post(ctx context.Context, target, token, key, body string) (status int, answer crashAnswer, raw string, replayed bool, err error) {
	req, err := http.NewRequestWithContext(ctx, "POST", target, strings.NewReader(body))
	if err != nil {
		return 0, answer, "", false, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Idempotency-Key", key)
	e.inflight.Add(1)
	defer e.inflight.Add(-1)
	res, err := e.client.Do(req)
	if err != nil {
		return 0, answer, "", false, err
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusServiceUnavailable {
		e.busy.Add(1)
		if res.Header.Get("Retry-After") == "" {
			e.busyWithoutRetryAfter.Add(1)
		}
	}
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, answer, "", false, err
	}
	if res.StatusCode == http.StatusOK {
		if err := json.Unmarshal(b, &answer); err != nil {
			return res.StatusCode, answer, string(b), false, fmt.Errorf("200 without a JSON answer: %s", b)
		}
	}
	return res.StatusCode, answer, string(b), res.Header.Get("Idempotent-Replayed") == "true", nil
}

// execute sends c until a definite answer arrives: after a failed request
// (the process died, or is down) with the same key; after 429 and 503 (the
// command was not executed) too.
func (e *crashEnv) execute(ctx context.Context, c *crashCmd, token, path, body string) {
	c.token, c.path, c.body = token, path, body
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if ctx.Err() != nil || time.Now().After(deadline) {
			c.Err = fmt.Sprintf("no definite answer (%d attempts without one)", c.Failures)
			return
		}
		base := e.currentURL()
		if base == "" {
			time.Sleep(5 * time.Millisecond)
			continue
		}
		status, a, raw, replayed, err := e.post(ctx, base+path, token, c.Key, body)
		if err != nil && status == 0 {
			c.Failures++
			time.Sleep(5 * time.Millisecond)
			continue
		}
		c.Status = status
		switch {
		case err != nil:
			c.Err = err.Error()
			return
		case status == http.StatusOK:
			c.Acked, c.Seq, c.ID, c.Command, c.Replayed = true, a.Seq, a.ID, a.Command, replayed
			return
		case status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable:
			c.Throttled++
			time.Sleep(time.Duration(50+rand.IntN(100)) * time.Millisecond)
		default:
			c.Err = fmt.Sprintf("answer %d: %s", status, raw)
			return
		}
	}
}

// runClient sends joins and, now and then, a change of Amt of a Lotse this
// client took in, until stop is set; the command in hand is finished first.
// It takes turns with its tokens; a command keeps its token for retries.
func (e *crashEnv) runClient(ctx context.Context, client int, tokens []string, stop *atomic.Bool) []*crashCmd {
	type lotse struct{ id, amt string }
	var mine []*lotse
	var ledger []*crashCmd
	for n := 0; !stop.Load() && ctx.Err() == nil; n++ {
		c := &crashCmd{Key: uuid.NewString()}
		token := tokens[n%len(tokens)]
		var l *lotse
		if len(mine) > 0 && rand.IntN(4) == 0 {
			l = mine[rand.IntN(len(mine))]
			next := "Kulturamt"
			if l.amt == next {
				next = "Archiv"
			}
			c.Kind, c.Target, c.Amt = "amt", l.id, next
			e.execute(ctx, c, token, "/lotsen/"+l.id+"/amt", fmt.Sprintf(`{"amt":%q}`, next))
		} else {
			c.Kind, c.Name, c.Amt = "join", fmt.Sprintf("Crash %d-%d", client, n), "Archiv"
			e.execute(ctx, c, token, "/lotsen", fmt.Sprintf(`{"name":%q,"amt":"Archiv","city":"Konstanz"}`, c.Name))
		}
		ledger = append(ledger, c)
		if !c.Acked {
			continue
		}
		if c.Kind == "join" {
			mine = append(mine, &lotse{id: c.ID, amt: c.Amt})
		} else {
			l.amt = c.Amt
		}
	}
	return ledger
}

type crashProc struct {
	cmd    *exec.Cmd
	url    string
	admin  string // the Admin demo link, if asked for
	logs   *syncBuffer
	exited chan struct{} // closed once the process is gone and reaped
}

// startCrashProc starts `logbuch serve --demo` on dir and returns once it
// serves, or an error if it exits or hangs first.
func startCrashProc(t *testing.T, bin, dir string, wantAdmin bool) (*crashProc, error) {
	t.Helper()
	p := &crashProc{cmd: exec.Command(bin, "serve", "--http", "127.0.0.1:0", "--data-dir", dir, "--demo"), logs: &syncBuffer{}, exited: make(chan struct{})}
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	p.cmd.Stderr = p.logs
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			default:
			}
		}
		close(lines)
		io.Copy(io.Discard, stdout)
		p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() { p.cmd.Process.Kill(); <-p.exited })
	timeout := time.After(60 * time.Second)
	for p.url == "" || wantAdmin && p.admin == "" {
		select {
		case l, ok := <-lines:
			if !ok {
				<-p.exited
				return nil, fmt.Errorf("logbuch exited while starting (%v):\n%s", p.cmd.ProcessState, p.logs.String())
			}
			l = strings.TrimSpace(l)
			if u, ok := strings.CutPrefix(l, "Logbuch läuft auf "); ok {
				p.url = strings.TrimSpace(u)
			}
			if a, ok := strings.CutPrefix(l, "Admin:"); ok {
				p.admin = strings.TrimSpace(a)
			}
		case <-timeout:
			return nil, fmt.Errorf("logbuch did not start within 60 s:\n%s", p.logs.String())
		}
	}
	return p, nil
}

// crashCreateToken creates an API token on /konto with a session cookie.
func crashCreateToken(t *testing.T, e *crashEnv, base, cookie string) string {
	t.Helper()
	status, page := getBody(t, &actor{Cookie: cookie}, base+"/konto")
	match := csrfField.FindStringSubmatch(page)
	if status != http.StatusOK || match == nil {
		t.Fatalf("no CSRF token on /konto (%d)", status)
	}
	form := url.Values{"label": {"Crashtest"}, "csrf": {match[1]}}
	req, _ := http.NewRequest("POST", base+"/konto/schluessel", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Cookie", "lb_sitzung="+cookie)
	res, err := e.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct{ Token, ID string }
	b, _ := io.ReadAll(res.Body)
	if err := json.Unmarshal(b, &out); res.StatusCode != http.StatusOK || err != nil || !strings.HasPrefix(out.Token, "lbt_") {
		t.Fatalf("create API token: %d %s", res.StatusCode, b)
	}
	return out.Token
}

// crashClientToken puts an admin for a client on the roster through the
// API, invites them, accepts the invitation and creates their API token.
func crashClientToken(t *testing.T, ctx context.Context, e *crashEnv, adminToken string, who string) string {
	t.Helper()
	base := e.currentURL()
	email := fmt.Sprintf("crash-admin-%s@konstanz.example", who)
	c := &crashCmd{Key: uuid.NewString(), Kind: "join", Name: "Crash Admin " + who, Amt: "Archiv"}
	e.execute(ctx, c, adminToken, "/lotsen", fmt.Sprintf(`{"name":%q,"email":%q,"amt":"Archiv","city":"Konstanz","role":"admin"}`, c.Name, email))
	if !c.Acked {
		t.Fatalf("join of a client admin: %s", c.Err)
	}
	e.setup = append(e.setup, c)
	req, _ := http.NewRequest("POST", base+"/lotsen/"+c.ID+"/einladen", nil)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+adminToken)
	res, err := e.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var invite struct{ Link string }
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if err := json.Unmarshal(b, &invite); res.StatusCode != http.StatusOK || err != nil || invite.Link == "" {
		t.Fatalf("invitation: %d %s", res.StatusCode, b)
	}
	pw := "ein sehr geheimes Passwort"
	form := url.Values{"email": {email}, "password": {pw}, "password2": {pw}}
	req, _ = http.NewRequest("POST", invite.Link, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err = noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	for _, ck := range res.Cookies() {
		if ck.Name == "lb_sitzung" && ck.Value != "" {
			return crashCreateToken(t, e, base, ck.Value)
		}
	}
	t.Fatalf("accepting the invitation gave no session (%d)", res.StatusCode)
	return ""
}

// crashCheckLog compares the log with what the clients were told.
func crashCheckLog(t *testing.T, msgs []domain.Recorded, all []*crashCmd) {
	t.Helper()
	const maxReports = 20
	reports := 0
	fail := func(format string, args ...any) {
		t.Helper()
		if reports++; reports <= maxReports {
			t.Errorf(format, args...)
		}
	}
	defer func() {
		if reports > maxReports {
			t.Errorf("… and %d more problems", reports-maxReports)
		}
	}()
	sent := map[string]*crashCmd{}
	names := map[string]*crashCmd{}
	for _, c := range all {
		if sent[c.Key] != nil {
			t.Fatalf("the test used key %s twice", c.Key)
		}
		sent[c.Key] = c
		if c.Kind == "join" {
			names[c.Name] = c
		}
		if !c.Acked {
			fail("command %s (%s %s%s) got no acknowledgement: %s", c.Key, c.Kind, c.Name, c.Target, c.Err)
		}
	}

	bySeq := map[uint64]domain.Recorded{}
	seqOf := map[string]uint64{}
	joins := map[string][]domain.Recorded{} // name → messages that join it
	for _, m := range msgs {
		bySeq[m.Seq] = m
		if m.CommandID != "" {
			if s, twice := seqOf[m.CommandID]; twice {
				fail("command %s is in the log twice: seq %d and %d", m.CommandID, s, m.Seq)
			}
			seqOf[m.CommandID] = m.Seq
		}
		// Joins and changes of Amt come from the demo year and the clients only.
		if (m.CommandType == "JoinLotse" || m.CommandType == "ChangeAmt") && !strings.HasPrefix(m.CommandID, "demo-") && sent[m.CommandID] == nil {
			fail("seq %d holds command %q (%s) that no client sent", m.Seq, m.CommandID, m.CommandType)
		}
		for _, ev := range m.Events {
			if j, ok := ev.Data.(domain.LotseJoined); ok {
				joins[j.Name] = append(joins[j.Name], m)
			}
		}
	}

	for _, c := range all {
		seq, inLog := seqOf[c.Key]
		switch {
		case !c.Acked:
			if inLog {
				fail("command %s without a 200 answer is in the log at seq %d", c.Key, seq)
			}
			continue
		case !inLog:
			fail("acknowledged command %s (%s %s%s, seq %d, %d failed attempts) is not in the log", c.Key, c.Kind, c.Name, c.Target, c.Seq, c.Failures)
			continue
		case seq != c.Seq:
			fail("command %s was answered with seq %d but is in the log at seq %d (replayed %v, %d failed attempts)", c.Key, c.Seq, seq, c.Replayed, c.Failures)
			continue
		}
		m := bySeq[seq]
		id := m.Subject[strings.LastIndexByte(m.Subject, '.')+1:]
		if id != c.ID || m.CommandType != c.Command {
			fail("command %s was answered %s on %s, the log has %s on %s", c.Key, c.Command, c.ID, m.CommandType, id)
		}
		if len(m.Events) != 1 {
			fail("command %s: %d events at seq %d, want 1", c.Key, len(m.Events), seq)
			continue
		}
		switch d := m.Events[0].Data.(type) {
		case domain.LotseJoined:
			if c.Kind != "join" || d.Name != c.Name || d.Amt != c.Amt {
				fail("command %s (%s %s) is a join of %q in %s in the log", c.Key, c.Kind, c.Name, d.Name, d.Amt)
			}
		case domain.LotseAmtChanged:
			if c.Kind != "amt" || id != c.Target || d.To != c.Amt {
				fail("command %s (%s to %s on %s) is a change to %s on %s in the log", c.Key, c.Kind, c.Amt, c.Target, d.To, id)
			}
		default:
			fail("command %s: unexpected event %T at seq %d", c.Key, d, seq)
		}
	}

	for name, ms := range joins {
		if !strings.HasPrefix(name, "Crash ") {
			continue
		}
		c := names[name]
		if c == nil {
			fail("the log joins %q, a name no client sent (seq %d)", name, ms[0].Seq)
			continue
		}
		if len(ms) != 1 {
			seqs := make([]uint64, len(ms))
			for i, m := range ms {
				seqs[i] = m.Seq
			}
			fail("%q joined %d times, at %v", name, len(ms), seqs)
		}
	}
}

// crashCheckRoster compares the active Lotsen of the clients with what the
// acknowledged commands imply: every acknowledged join, in the Amt of its
// last acknowledged change.
func crashCheckRoster(t *testing.T, v projections.RosterView, all []*crashCmd) {
	t.Helper()
	want := map[string]string{}
	nameOf := map[string]string{}
	for _, c := range all { // each Lotse is changed only by the client that took it in, one command after the other
		if !c.Acked {
			continue
		}
		switch c.Kind {
		case "join":
			want[c.Name], nameOf[c.ID] = c.Amt, c.Name
		case "amt":
			if name, ok := nameOf[c.Target]; ok {
				want[name] = c.Amt
			} else {
				t.Errorf("change %s of a Lotse not taken in by an acknowledged join", c.Key)
			}
		}
	}
	got := map[string]string{}
	for _, g := range v.ByAmt {
		for _, p := range g.People {
			if strings.HasPrefix(p.Name, "Crash ") {
				if _, twice := got[p.Name]; twice {
					t.Errorf("%q is active twice", p.Name)
				}
				got[p.Name] = g.Amt
			}
		}
	}
	for _, p := range v.Former {
		if strings.HasPrefix(p.Name, "Crash ") {
			t.Errorf("%q is among the former Lotsen", p.Name)
		}
	}
	if reflect.DeepEqual(got, want) {
		return
	}
	var diffs []string
	for name, amt := range want {
		if got[name] != amt {
			diffs = append(diffs, fmt.Sprintf("%s: want %q, roster %q", name, amt, got[name]))
		}
	}
	for name, amt := range got {
		if _, ok := want[name]; !ok {
			diffs = append(diffs, fmt.Sprintf("%s: not acknowledged, roster %q", name, amt))
		}
	}
	sort.Strings(diffs)
	t.Errorf("the active Lotsen differ from what the answers imply (%d differences):\n%s", len(diffs), strings.Join(diffs[:min(len(diffs), 20)], "\n"))
}
