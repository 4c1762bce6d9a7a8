package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"logbuch/domain"
	"logbuch/embed"
)

// benchCluster: durable appends and one fan-out on a three-node NATS
// cluster (in-process, loopback, each node with its own store and fsync
// before acknowledging; the stream and buckets at R3), next to the same
// figures on one embedded node, measured in the same section. The raw
// engine is a raw publish on the same R3 stream.
func benchCluster(ctx context.Context, s settings, t *table) error {
	dir, err := os.MkdirTemp("", "logbuch-bench-cluster-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	progress("cluster: starting three NATS nodes")
	c, err := embed.StartLocalCluster(ctx, dir, 3, "bench")
	if err != nil {
		return err
	}
	defer c.Close()
	clusterCfg := embed.Config{NatsURL: c.URLs(), Token: c.Token, Replicas: 3}

	for _, w := range s.writers {
		if w == 1 {
			continue // one writer shows the round trip only; the rows above have it
		}
		if err := clusterAppendRows(ctx, t, clusterCfg, w, s.ops/2); err != nil {
			return fmt.Errorf("%d writers: %w", w, err)
		}
	}

	n := s.fanout[0]
	group := fmt.Sprintf("8. Cluster: fan-out on three NATS nodes: one change to %s live subscribers; %d rounds pooled", thousands(float64(n)), s.fanoutRounds)
	var single fanoutResult
	for _, on := range []struct {
		name string
		cfg  embed.Config
	}{{"one node", embed.Config{}}, {"three nodes", clusterCfg}} {
		progress("cluster: fan-out to %d subscribers, %s", n, on.name)
		w, err := openWebEnvOn(ctx, on.cfg, s.fanoutLotsen)
		if err != nil {
			return err
		}
		lb, _, _, err := logbuchFanout(ctx, w, n, s.fanoutRounds)
		w.close()
		if err != nil {
			return err
		}
		if on.name == "one node" {
			single = lb
			continue
		}
		p99, p99single := percentile(lb.lat, 0.99), percentile(single.lat, 0.99)
		t.add(row{group: group, scenario: "three nodes (R3): acknowledgment → arrival",
			logbuch: lb.summary(), raw: "one node, same section: " + single.summary(),
			ratio: fmtRatio(float64(p99)/float64(p99single)) + " (p99)", goal: yesNo(p99 < 100*time.Millisecond && lb.missing == 0, "p99 < 100 ms")})
	}
	return nil
}

func clusterAppendRows(ctx context.Context, t *table, clusterCfg embed.Config, w, ops int) error {
	progress("cluster: append, %d writers, %d commands per row", w, ops)
	single, err := openLogbuch(ctx, embed.Config{}, nil)
	if err != nil {
		return err
	}
	defer single.close()
	clustered, err := openLogbuch(ctx, clusterCfg, nil)
	if err != nil {
		return err
	}
	defer clustered.close()
	js, err := jetstream.New(clustered.log.Conn())
	if err != nil {
		return err
	}
	sample, _ := domain.EncodeEvents([]domain.Event{{ID: uuid.Must(uuid.NewV7()), Type: "LotseJoined", Version: 1, At: time.Now(), Actor: "system", Tenant: tenant,
		Data: domain.LotseJoined{Name: "enc1:" + strings.Repeat("x", 60), Amt: "Kulturamt", City: "Konstanz", Role: domain.RoleLotse}}})
	raw := func(int) error {
		msg := nats.NewMsg(domain.Subject(tenant, "raw", uuid.NewString()))
		msg.Data = sample
		_, err := js.PublishMsg(ctx, msg, jetstream.WithMsgID(uuid.NewString()), jetstream.WithExpectLastSequencePerSubject(0))
		return err
	}
	newLotse := func(env *lbEnv, ids []string) func(int) error {
		return func(i int) error {
			ids[i] = uuid.Must(uuid.NewV7()).String()
			_, err := joinLotse(ctx, env.handler, ids[i], domain.RoleLotse, "Mara Feld", "Kulturamt")
			return err
		}
	}
	changeLotse := func(env *lbEnv, ids []string) func(int) error {
		return func(i int) error {
			_, err := domain.Execute(ctx, env.handler, domain.Roster, ids[i], domain.Meta{CommandID: uuid.NewString(), Actor: "bench"}, "ChangeRole",
				any(domain.ChangeRole{Role: domain.RoleLenkungsgruppe}))
			return err
		}
	}
	warm := make([]string, 50)
	for _, step := range []func(int) error{raw, newLotse(clustered, warm), newLotse(single, warm)} {
		if _, err := measure(8, len(warm), step); err != nil {
			return fmt.Errorf("warm-up: %w", err)
		}
	}
	// Interleaved in slices, as the single-node rows.
	slices := 2
	per := ops / slices
	ops = per * slices
	cIDs, sIDs := make([]string, ops), make([]string, ops)
	var rawR, cNew, cChange, sNew, sChange result
	for k := range slices {
		off := k * per
		at := func(op func(int) error) func(int) error { return func(i int) error { return op(off + i) } }
		for _, step := range []struct {
			into *result
			name string
			op   func(int) error
		}{
			{&rawR, "raw publish R3", raw},
			{&cNew, "cluster new Lotse", newLotse(clustered, cIDs)},
			{&cChange, "cluster change", changeLotse(clustered, cIDs)},
			{&sNew, "single new Lotse", newLotse(single, sIDs)},
			{&sChange, "single change", changeLotse(single, sIDs)},
		} {
			r, err := measure(w, per, at(step.op))
			if err != nil {
				return fmt.Errorf("%s: %w", step.name, err)
			}
			step.into.merge(r)
		}
	}
	group := fmt.Sprintf("8. Cluster: durable append on three NATS nodes (R3), %d concurrent writers (%s commands per row, interleaved in %d slices)", w, thousands(float64(ops)), slices)
	rawCell := "raw publish R3 " + fmtRate(rawR.rate(), "msgs")
	t.add(row{group: group, scenario: "raw publish, R3 stream, fsync on every node", logbuch: "—", raw: rawR.summary("msgs"), ratio: "1.00×", goal: "—"})
	t.add(row{group: group, scenario: "new Lotsen, three nodes", logbuch: cNew.summary("cmds"), raw: rawCell,
		ratio: fmt.Sprintf("%s raw R3, %s one node (%s)", fmtRatio(cNew.rate()/rawR.rate()), fmtRatio(cNew.rate()/sNew.rate()), fmtRate(sNew.rate(), "cmds")), goal: "—"})
	t.add(row{group: group, scenario: "changes of existing Lotsen, three nodes", logbuch: cChange.summary("cmds"), raw: rawCell,
		ratio: fmt.Sprintf("%s raw R3, %s one node (%s)", fmtRatio(cChange.rate()/rawR.rate()), fmtRatio(cChange.rate()/sChange.rate()), fmtRate(sChange.rate(), "cmds")), goal: "—"})
	return nil
}
