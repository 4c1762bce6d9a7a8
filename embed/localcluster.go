package embed

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// LocalCluster is a NATS cluster of in-process servers on loopback, each
// with JetStream (fsync before acknowledging) and a store of its own, with
// routes between all of them. It is the cluster of the cluster tests and of
// the benchmark; production runs a real cluster (docs/operations.md).
type LocalCluster struct {
	Token   string // clients authenticate with it
	opts    []*server.Options
	servers []*server.Server
}

// StartLocalCluster starts n nodes with their stores under dir and returns
// once JetStream of the cluster answers.
func StartLocalCluster(ctx context.Context, dir string, n int, token string) (*LocalCluster, error) {
	ports, err := freePorts(n)
	if err != nil {
		return nil, err
	}
	var routes []string
	for _, p := range ports {
		routes = append(routes, "nats://127.0.0.1:"+strconv.Itoa(p))
	}
	c := &LocalCluster{Token: token}
	for i := range n {
		name := fmt.Sprintf("nats-%d", i+1)
		c.opts = append(c.opts, &server.Options{
			ServerName: name, Host: "127.0.0.1", Port: -1,
			Authorization: token,
			JetStream:     true, StoreDir: filepath.Join(dir, name), SyncAlways: true,
			JetStreamMaxStore: 1 << 30, JetStreamMaxMemory: 64 << 20,
			Cluster: server.ClusterOpts{Name: "logbuch", Host: "127.0.0.1", Port: ports[i]},
			Routes:  server.RoutesFromStr(strings.Join(routes, ",")),
			NoSigs:  true, NoLog: true, MaxPayload: MaxMessageSize + 4096,
		})
		c.servers = append(c.servers, nil)
	}
	for i := range n {
		if err := c.Start(i); err != nil {
			c.Close()
			return nil, err
		}
	}
	if err := c.waitJetStream(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// freePorts picks n free loopback ports for the routes, which must be
// known before the nodes start (and stay the same when one restarts).
func freePorts(n int) ([]int, error) {
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
		defer l.Close()
	}
	return ports, nil
}

// Start starts node i (again, on its old store and route port).
func (c *LocalCluster) Start(i int) error {
	s, err := server.NewServer(c.opts[i])
	if err != nil {
		return fmt.Errorf("configure %s: %w", c.opts[i].ServerName, err)
	}
	s.Start()
	if !s.ReadyForConnections(30 * time.Second) {
		s.Shutdown()
		return fmt.Errorf("%s did not become ready", c.opts[i].ServerName)
	}
	c.servers[i] = s
	return nil
}

// waitJetStream waits until the cluster has elected its meta leader and
// answers JetStream requests.
func (c *LocalCluster) waitJetStream(ctx context.Context) error {
	nc, err := c.Connect()
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	for {
		actx, cancel := context.WithTimeout(ctx, 2*time.Second)
		_, err := js.AccountInfo(actx)
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the cluster's JetStream did not answer: %w", err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// URLs lists the client URLs of the running nodes, comma-separated, as
// --nats-url takes them.
func (c *LocalCluster) URLs() string {
	var urls []string
	for _, s := range c.servers {
		if s != nil {
			urls = append(urls, s.ClientURL())
		}
	}
	return strings.Join(urls, ",")
}

// Connect opens a client connection to the cluster.
func (c *LocalCluster) Connect() (*nats.Conn, error) {
	return nats.Connect(c.URLs(), nats.Token(c.Token), nats.MaxReconnects(-1))
}

// Names returns the server names of the nodes, in order.
func (c *LocalCluster) Names() []string {
	var out []string
	for _, o := range c.opts {
		out = append(out, o.ServerName)
	}
	return out
}

// Leader returns the node that leads a stream, by the stream's cluster
// information.
func (c *LocalCluster) Leader(ctx context.Context, js jetstream.JetStream, stream string) (int, error) {
	s, err := js.Stream(ctx, stream)
	if err != nil {
		return -1, err
	}
	info, err := s.Info(ctx)
	if err != nil {
		return -1, err
	}
	if info.Cluster == nil || info.Cluster.Leader == "" {
		return -1, errors.New("the stream has no leader")
	}
	for i, o := range c.opts {
		if o.ServerName == info.Cluster.Leader {
			return i, nil
		}
	}
	return -1, fmt.Errorf("leader %q is not a node of this cluster", info.Cluster.Leader)
}

// Kill stops node i at once.
func (c *LocalCluster) Kill(i int) {
	if s := c.servers[i]; s != nil {
		s.Shutdown()
		s.WaitForShutdown()
		c.servers[i] = nil
	}
}

// Close stops every node.
func (c *LocalCluster) Close() {
	for i := range c.servers {
		c.Kill(i)
	}
}

// Describe tells, for each running node, whether it leads the cluster's
// JetStream meta group and whether it is current (for test failures).
func (c *LocalCluster) Describe() string {
	var b strings.Builder
	for i, s := range c.servers {
		if s == nil {
			fmt.Fprintf(&b, "%s: down; ", c.opts[i].ServerName)
			continue
		}
		fmt.Fprintf(&b, "%s: meta leader %v, current %v, routes %d; ", s.Name(), s.JetStreamIsLeader(), s.JetStreamIsCurrent(), s.NumRoutes())
	}
	return b.String()
}

// Probe asks every running node for the stream's info on a connection of
// its own (for test failures).
func (c *LocalCluster) Probe(ctx context.Context, stream string) string {
	var b strings.Builder
	for i, s := range c.servers {
		if s == nil {
			continue
		}
		nc, err := nats.Connect(s.ClientURL(), nats.Token(c.Token))
		if err != nil {
			fmt.Fprintf(&b, "%s: %v; ", c.opts[i].ServerName, err)
			continue
		}
		js, _ := jetstream.New(nc)
		pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		_, aerr := js.AccountInfo(pctx)
		st, err := js.Stream(pctx, stream)
		var last uint64
		if err == nil {
			var info *jetstream.StreamInfo
			info, err = st.Info(pctx)
			if err == nil {
				last = info.State.LastSeq
			}
		}
		cancel()
		nc.Close()
		fmt.Fprintf(&b, "%s: account info %v, stream info %v (last %d); ", c.opts[i].ServerName, aerr, err, last)
	}
	return b.String()
}
