package main

import (
	"fmt"
	"strings"
)

// notesText explains how to read the table; printed under it and written
// to BENCHMARKS.md.
const notesText = `Ratio: Logbuch's figure ÷ the raw engine's (rates: higher is better; latency, memory and time: lower is better).
Goals (from the README): durable append ≥ 10,000 commands/s; rebuild ≥ 0.5 × raw read; fan-out p99 < 100 ms at 5,000
subscribers; ≤ 16 KiB per idle connection.
`

const methodText = `## How it is measured

Everything runs in one process on loopback, against embedded NATS servers in
fresh temporary directories that are removed afterwards; nothing is cached
between runs. Each section starts its own servers, so one section's garbage
does not slow the next.

**1. Durable append.** ` + "`domain.Execute`" + ` on a ` + "`domain.Handler`" + ` over
` + "`embed.Log`" + ` (fsync before every acknowledgment, ` + "`SyncAlways`" + `), with the
projections following as in the real server. *New Lotsen*: ` + "`JoinLotse`" + ` with
` + "`Meta.NewAggregate: true`" + ` (no load; the person's key for the sealed name is
created in the key bucket). *Changes*: ` + "`ChangeRole`" + ` of the Lotsen just created
(state from the handler's cache). Each writer is a goroutine taking the next
command until the row's count is done; latency is per command, start to
answer. Every writer count gets fresh logs, and its rows run interleaved in
slices (each row a quarter of its commands, then the next row, four times
over), so that a burst of other load hits all rows alike. *Group commit off* is a second log opened with
` + "`embed.Config{NoGroupCommit: true}`" + `. The statistics are the differences of
` + "`GroupCommitStats()`" + ` over the row. *Raw, fsync*: ` + "`js.PublishMsg`" + ` of a payload of
the size of a real command, with a message id and an expected last subject
sequence, to the same LOGBUCH stream of the same server. *Raw, no fsync
(ceiling)*: the same publishes to a bare ` + "`server.NewServer`" + ` without
` + "`SyncAlways`" + `, in its own store, with a stream of the same configuration. The
HTTP row posts ` + "`/lotsen/{id}/amt`" + ` as JSON with an API key and is answered once
the read models include the change (read-your-writes). The machine's fsync
is fast (a virtual disk with a write cache): on a disk with slow fsync, group
commit matters more and every raw fsync figure is lower.

**2. Rebuild.** A log of generated commands (each Lotse joins, then changes
Amt and role, leaves and rejoins; every fifth change is one command with two
events; the Lotsen interleaved at random) is written with ` + "`(*embed.Log).Import`" + `,
the log is closed, and each round opens it afresh (cold key cache, as after a
restart): first the raw read, an ordered consumer with the pull size of the
projections' feed counting messages up to the last sequence, then
` + "`projections.NewRunner(log, nil)`" + ` run until ` + "`Ready()`" + `. Two rounds; the better time
of each counts. Events/s = events in the log ÷ time. The second row runs the
runner as serve configures it (` + "`UseSnapshots(log, log, 10000)`" + `) with an empty
snapshot store, as on the first start after an import, an upgrade of the read
models or a lost snapshot: it saves a snapshot after every 10,000 messages
while it catches up.

**3. Fan-out.** The real web server (` + "`web.NewServer`" + ` with demo logins and the
limits lifted, behind ` + "`httptest.NewServer`" + `) over a log with a roster of
some Lotsen. Every connection uses the session cookie of one admin (from a
demo login link), sends ` + "`{\"t\":\"sub\",\"views\":[\"roster\"],\"since\":0}`" + ` and waits
for its initial state (the full view). Then one ` + "`ChangeAmt`" + ` command; the clock
starts when the command is acknowledged (` + "`domain.Execute`" + ` returns) and stops
when the update arrives at each connection's reader goroutine. Several
rounds, pooled. The raw engine is a bare coder/websocket server in the
pattern of the library's chat example (a buffered channel and one writing
goroutine per connection, ` + "`CloseRead`" + `), broadcasting the very bytes Logbuch's
subscribers received, to the same number of connections, timed from the
broadcast call. The clients run in the same process on the same two cores,
so both figures include the clients' own scheduling.

**4. Memory per idle connection.** The clients run in a separate process
(this binary, started again in client mode), so the server's process holds
only the server side. Before and after opening the connections, after garbage
collections until heap and stacks stop shrinking: ` + "`runtime.MemStats`" + ` HeapInuse + StackInuse; the growth
divided by the number of connections. Logbuch's connections are subscribed
to the roster and have received their initial state; the bare server's have
received the same bytes. "Live objects" is the growth of HeapAlloc (HeapInuse
also counts the unused rest of partly used spans). The server's side of the
kernel's socket buffers is not in these figures (it is the same for both).

**5. Startup.** A log of generated commands (as in 2) imported with
` + "`Import`" + `. *From a snapshot*: the snapshot a graceful shutdown leaves (serve
saves one in Close) is taken first, outside the measurement; then
` + "`embed.Open`" + ` and a runner with ` + "`UseSnapshots(log, log, 10000)`" + ` as serve has it,
until ` + "`Ready()`" + `. *Without snapshot*: a runner with an empty snapshot store
(and no periodic saves) folds the whole log; once it is ready, it saves the
snapshot used by the first row. The raw engine: a bare ` + "`server.NewServer`" + ` started on the same store until the
stream answers with its last sequence, and then an ordered read of every
message.

**8. Cluster.** ` + "`embed.StartLocalCluster`" + `: three nats-server nodes in this
process, with routes on loopback ports, each with its own store and
` + "`SyncAlways`" + ` (so every acknowledged write is on the disks of a majority), the
stream and buckets at R3 (` + "`--replicas 3`" + `), Logbuch connected over TCP with
all three URLs. *Append*: the new-Lotsen and change rows of 1 on the
cluster, interleaved with the same rows on one embedded node (fresh logs
per writer count; the cluster keeps its stream between writer counts), next
to a raw publish on the R3 stream. *Fan-out*: 3's measurement with the
first subscriber count, once over one embedded node and once over the
cluster, in the same section. All three nodes share the machine's two cores
with the clients and the server: on real machines a cluster spreads this
load, here it triples it.

**9. Dashboard and report.** The demo year as ` + "`logbuch serve --demo`" + ` writes
it (the binary is built, run in a fresh data dir until it serves, and
stopped with SIGTERM), and a generated city of about 100 × its messages
(dashgen.go, fixed seed: 100 Ämter, ten years 2016–2025, 112 events a year
with talks, wall posts and ratings released in one batch per event, a
KNowHow board a year from 2020 with 60 topics, votes and topics moved on to
the Drehbuch, Lotsen joining, leaving, coming back and changing Amt). Every command is decided by the real deciders through
` + "`domain.Handler`" + ` over a log in memory, in the order of its time, and the
messages are written with ` + "`Import`" + ` into a fresh log. For the 100 × city the
bench process lengthens ` + "`domain.Aemter`" + ` with 79 generated Ämter (after the
demo rows), so that deciders accept them and the read models count and
show them. ` + "`projections.NewRunner`" + ` reads the log until ` + "`Ready()`" + ` (the context
row). *Dashboard*: what the hub does for each change of a year's dashboard:
figures, feed and the templ render of the live part to bytes
(` + "`(*web.Server).RenderDashboardForBench`" + `), timed one after the other on the
caught-up read models; *Stand am*: the same for the middle year as of 30
June. *Report*: what ` + "`logbuch report --year`" + ` does without ` + "`--pdf`" + `:
` + "`projections.ReplayUntil`" + ` of the whole log, then ` + "`web.WriteReport`" + ` to memory.
`

func markdown(c *conditions, t *table) string {
	var b strings.Builder
	b.WriteString("# Logbuch benchmarks\n\n")
	b.WriteString("Written by `make bench` (`go run ./cmd/logbuch-bench`); every Logbuch figure\n")
	b.WriteString("stands next to the raw engine it is built on, measured in the same run.\n\n")
	b.WriteString("## Conditions\n\n")
	b.WriteString("| | |\n| --- | --- |\n")
	for _, l := range c.lines() {
		fmt.Fprintf(&b, "| %s | %s |\n", l[0], strings.ReplaceAll(l[1], "|", "\\|"))
	}
	b.WriteString("\n## Results\n\n")
	b.WriteString(t.markdownTable())
	b.WriteString("\n")
	for _, line := range strings.Split(strings.TrimSpace(notesText), "\n") {
		b.WriteString(line + "\n")
	}
	b.WriteString("\n")
	b.WriteString(methodText)
	return b.String()
}
