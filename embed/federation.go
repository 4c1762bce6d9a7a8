package embed

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go/jetstream"

	"logbuch/domain"
)

// Federation links this city's log with the partner city's: each city's
// NATS has its own JetStream domain, a leaf-node link joins the two
// servers, and each city's stream sources exactly the partner's shared
// subjects (lb.geteilt.<partner>.>) through the partner's domain. See
// domain/federation.go for what is shared.
type Federation struct {
	City          string // this city's tenant, e.g. "konstanz"
	Partner       string // the partner's tenant, e.g. "heilbronn"
	PartnerDomain string // the JetStream domain of the partner's NATS, e.g. "hn"
}

// subjects are what a federated city's stream takes from publishers: its
// own subjects and its shared ones, never the partner's (leaf nodes carry
// interest across the link).
func (f *Federation) subjects() []string {
	return []string{"lb." + f.City + ".>", "lb." + domain.SharedToken + "." + f.City + ".>"}
}

// sources copy the partner's shared subjects into this city's stream.
// JetStream de-duplicates sourced messages by their sequence in the
// partner's stream, so a link that breaks and heals neither loses nor
// doubles anything.
func (f *Federation) sources() []*jetstream.StreamSource {
	return []*jetstream.StreamSource{{
		Name:          StreamName,
		FilterSubject: "lb." + domain.SharedToken + "." + f.Partner + ".>",
		Domain:        f.PartnerDomain,
	}}
}

// leafNode configures the embedded server's leaf-node link: a port the
// partner connects to (with a user and password), or the partner's port to
// connect to. The log's subjects never cross the link by themselves; only
// the sourcing does.
func (c Config) leafNode(opts *server.Options) error {
	if c.LeafListen != "" {
		if c.LeafUser == "" || c.LeafPassword == "" {
			return errors.New("--leaf-listen opens a port for the partner city: it needs --leaf-user and --leaf-password (or LOGBUCH_LEAF_PASSWORD)")
		}
		host, port, err := net.SplitHostPort(c.LeafListen)
		if err != nil {
			return fmt.Errorf("--leaf-listen %q: %w", c.LeafListen, err)
		}
		opts.LeafNode.Host, opts.LeafNode.Username, opts.LeafNode.Password = host, c.LeafUser, c.LeafPassword
		if opts.LeafNode.Port, err = strconv.Atoi(port); err != nil {
			return fmt.Errorf("--leaf-listen %q: port: %w", c.LeafListen, err)
		}
	}
	if c.LeafRemote != "" {
		u, err := url.Parse(c.LeafRemote)
		if err != nil || u.Host == "" {
			return fmt.Errorf("--leaf-remote %q: not a URL like nats-leaf://user:password@host:7422", c.LeafRemote)
		}
		opts.LeafNode.Remotes = append(opts.LeafNode.Remotes, &server.RemoteLeafOpts{
			URLs: []*url.URL{u},
			// Only stream sourcing crosses (through the JetStream API of
			// the partner's domain): no log subject, and no presence, which
			// names the people looking at a page.
			DenyImports: []string{"lb.>", "logbuch.>"},
			DenyExports: []string{"lb.>", "logbuch.>"},
		})
	}
	return nil
}

// sharedKinds are the aggregates that may live in a shared space.
var sharedKinds = map[string]bool{domain.Events.Kind: true, domain.Wall.Kind: true}

// Placement is the command handler's placement of a federated city (nil
// without federation): a #KNmeetsHN event is planned in the shared space;
// a post goes to the shared space when its wall is shared (by either
// city); an existing shared aggregate of this city stays shared; one of the
// partner city is refused, since only its home city writes it.
func (l *Log) Placement() domain.Placement {
	f := l.cfg.Federation
	if f == nil {
		return nil
	}
	var homes sync.Map // kind.id → the city whose shared space holds it
	home := func(ctx context.Context, kind, id string) (string, error) {
		key := kind + "." + id
		if city, ok := homes.Load(key); ok {
			return city.(string), nil
		}
		for _, city := range []string{f.City, f.Partner} {
			_, err := l.stream.GetLastMsgForSubject(ctx, domain.SharedSubject(city, kind, id))
			if err == nil {
				homes.Store(key, city) // a home never changes
				return city, nil
			}
			if !errors.Is(err, jetstream.ErrMsgNotFound) {
				return "", fmt.Errorf("shared space of %s %s: %w", kind, id, unavailable(ctx, err))
			}
		}
		return "", nil
	}
	return func(ctx context.Context, kind, id string, isNew bool, cmd any) (bool, error) {
		switch c := cmd.(type) {
		case domain.PostToWall:
			city, err := home(ctx, domain.Events.Kind, c.Event)
			return city != "", err
		case domain.PlanVeranstaltung:
			if isNew {
				return c.Format == domain.SharedFormat, nil
			}
		}
		if isNew || !sharedKinds[kind] {
			return false, nil
		}
		city, err := home(ctx, kind, id)
		if err != nil {
			return false, err
		}
		if city == f.Partner {
			return false, domain.Errorf(domain.ECONFLICT, "err.federation.partner_space", cityLabel(f.Partner))
		}
		return city == f.City, nil
	}
}

// cityLabel is the city's name as people write it.
func cityLabel(tenant string) string {
	if tenant == "" {
		return tenant
	}
	return strings.ToUpper(tenant[:1]) + tenant[1:]
}

// linkCheck is how often the log checks whether the partner answers.
const linkCheck = time.Second

// watchFederation keeps the sourcing from the partner going. The stream
// is created without its source; whenever the partner's JetStream answers
// after it did not (at the start, after the link broke and healed), the
// source is set again. JetStream's own retries back off to minutes and
// wait 30 s for each unanswered request; setting the source again starts
// at once, after the last message already sourced (JetStream finds it in
// the stream), so nothing is copied twice.
func (l *Log) watchFederation(ctx context.Context) {
	f := l.cfg.Federation
	partner, err := jetstream.NewWithDomain(l.nc, f.PartnerDomain)
	if err != nil {
		l.log.Error("federation: partner JetStream", "err", err)
		return
	}
	reachable := false
	for {
		cctx, cancel := context.WithTimeout(ctx, linkCheck)
		_, err := partner.AccountInfo(cctx)
		cancel()
		now := err == nil
		switch {
		case now && !reachable:
			if err := l.resetSources(ctx); err != nil {
				l.log.Warn("federation: could not set the partner's source; trying again", "partner", f.Partner, "err", err)
				now = false
			} else {
				l.log.Info("federation: sourcing the partner's shared spaces", "partner", f.Partner, "domain", f.PartnerDomain)
			}
		case !now && reachable:
			l.log.Warn("federation: the partner does not answer; its shared spaces follow when the link is back", "partner", f.Partner, "err", err)
		}
		reachable = now
		select {
		case <-ctx.Done():
			return
		case <-time.After(linkCheck):
		}
	}
}

// resetSources removes the partner's source from the stream and sets it
// again.
func (l *Log) resetSources(ctx context.Context) error {
	info, err := l.stream.Info(ctx)
	if err != nil {
		return err
	}
	cfg := info.Config
	if len(cfg.Sources) > 0 {
		cfg.Sources = nil
		if _, err := l.js.UpdateStream(ctx, cfg); err != nil {
			return fmt.Errorf("remove source: %w", err)
		}
	}
	cfg.Sources = l.cfg.Federation.sources()
	if _, err := l.js.UpdateStream(ctx, cfg); err != nil {
		return fmt.Errorf("set source: %w", err)
	}
	return nil
}
