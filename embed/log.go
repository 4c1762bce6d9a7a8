package embed

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/synadia-io/orbit.go/jetstreamext"

	"logbuch/domain"
)

// StreamName is the JetStream stream that holds the whole record.
const StreamName = "LOGBUCH"

// Headers stored with every message besides Nats-Msg-Id (the command id).
const (
	headerCommandType = "Lb-Command-Type"
)

// Config says where the log lives.
type Config struct {
	DataDir  string // embedded server: its store and lock live here
	NatsURL  string // external NATS instead of the embedded server
	Replicas int    // stream replicas (1 on a single node)

	// Limits of the embedded server; zero means the defaults below.
	MaxStore  int64
	MaxMemory int64

	// Listen opens a TCP port on the embedded server (e.g. "127.0.0.1:4222")
	// for operators' tools; only with User and Password, and with TLS when
	// TLSCert and TLSKey are set. Empty: no port at all.
	Listen   string
	User     string
	Password string
	TLSCert  string
	TLSKey   string

	// NoGroupCommit writes every command on its own (for comparisons).
	NoGroupCommit bool

	// Federation of two cities (federation.go): the embedded server's
	// JetStream domain and its leaf-node link to the partner's server.
	JetStreamDomain string
	LeafListen      string // accept the partner's leaf connection here
	LeafUser        string // … with this user
	LeafPassword    string // … and password
	LeafRemote      string // connect to the partner's leaf port (nats-leaf://user:password@host:port)
	Federation      *Federation

	// Credentials and TLS for an external NATS (besides User/Password).
	Token     string // a token
	CredsFile string // a .creds file (JWT and NKey seed)
	NKeySeed  string // a file with an NKey seed
	CAFile    string // CA certificates to trust
	CertFile  string // client certificate
	KeyFile   string // its key

	Logger *slog.Logger
}

// clientOptions are the connection options for an external NATS.
func (c Config) clientOptions() ([]nats.Option, error) {
	opts := []nats.Option{nats.Name("logbuch"), nats.MaxReconnects(-1), nats.Timeout(10 * time.Second)}
	if c.User != "" {
		opts = append(opts, nats.UserInfo(c.User, c.Password))
	}
	if c.Token != "" {
		opts = append(opts, nats.Token(c.Token))
	}
	if c.CredsFile != "" {
		opts = append(opts, nats.UserCredentials(c.CredsFile))
	}
	if c.NKeySeed != "" {
		o, err := nats.NkeyOptionFromSeed(c.NKeySeed)
		if err != nil {
			return nil, fmt.Errorf("NKey seed %s: %w", c.NKeySeed, err)
		}
		opts = append(opts, o)
	}
	if c.CAFile != "" {
		opts = append(opts, nats.RootCAs(c.CAFile))
	}
	if c.CertFile != "" || c.KeyFile != "" {
		opts = append(opts, nats.ClientCert(c.CertFile, c.KeyFile))
	}
	return opts, nil
}

const (
	defaultMaxStore  = 20 << 30 // 20 GiB of events is decades of a city's record
	defaultMaxMemory = 256 << 20
	// MaxMessageSize bounds one command's events.
	MaxMessageSize = 1 << 20
	// DuplicateWindow is how long JetStream itself remembers command ids.
	// Older retries are caught by the projections' command index.
	DuplicateWindow = 2 * time.Minute
)

// Log is the event log on JetStream.
type Log struct {
	cfg    Config
	log    *slog.Logger
	lock   *dirLock
	server *server.Server
	nc     *nats.Conn
	js     jetstream.JetStream
	stream jetstream.Stream

	buckets map[string]jetstream.KeyValue
	keys    *keyring
	commits *groupCommit

	snapMu sync.Mutex
	snaps  jetstream.ObjectStore

	stopFederation context.CancelFunc
	federationDone chan struct{}
	uploadsMu      sync.Mutex
	uploads        jetstream.ObjectStore
}

var _ domain.Log = (*Log)(nil)

// Open starts the embedded server (or connects to NatsURL) and makes sure
// the stream exists with the settings the record needs.
func Open(ctx context.Context, cfg Config) (*Log, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Replicas <= 0 {
		cfg.Replicas = 1
	}
	l := &Log{cfg: cfg, log: cfg.Logger}
	var err error
	if cfg.NatsURL == "" {
		if err = l.startEmbedded(); err != nil {
			l.Close()
			return nil, err
		}
	} else {
		opts, err := cfg.clientOptions()
		if err != nil {
			return nil, err
		}
		l.nc, err = nats.Connect(cfg.NatsURL, opts...)
		if err != nil {
			return nil, fmt.Errorf("connect to NATS at %s: %w (is it running and reachable, and are the credentials right?)", cfg.NatsURL, err)
		}
		l.log.Warn("external NATS: make sure its JetStream fsyncs before acknowledging (sync_interval: always)", "url", cfg.NatsURL)
	}
	if l.js, err = jetstream.New(l.nc); err != nil {
		l.Close()
		return nil, fmt.Errorf("jetstream: %w", err)
	}
	subjects := []string{"lb.>"}
	if f := cfg.Federation; f != nil {
		subjects = f.subjects() // the partner's source is set by watchFederation
	}
	if l.stream, err = l.js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        StreamName,
		Description: "Logbuch: every action of the Digitallotsen, append-only",
		Subjects:    subjects,
		Storage:     jetstream.FileStorage,
		Retention:   jetstream.LimitsPolicy,
		Discard:     jetstream.DiscardNew, // never drop history to make room
		Duplicates:  DuplicateWindow,
		MaxMsgSize:  MaxMessageSize,
		Replicas:    cfg.Replicas,
		DenyDelete:  true,
		DenyPurge:   true,
		AllowDirect: true,
		// Group commit writes the commands of many writers in one atomic batch.
		AllowAtomicPublish: true,
	}); err != nil {
		l.Close()
		if errors.Is(err, jetstream.ErrJetStreamNotEnabled) || errors.Is(err, jetstream.ErrJetStreamNotEnabledForAccount) || errors.Is(err, nats.ErrNoResponders) {
			return nil, fmt.Errorf("NATS at %s has no JetStream for this account (enable it with a jetstream block in the server configuration): %w", cfg.NatsURL, err)
		}
		return nil, fmt.Errorf("create or update stream %s: %w", StreamName, err)
	}
	if err := l.openBuckets(ctx); err != nil {
		l.Close()
		return nil, err
	}
	if !cfg.NoGroupCommit {
		l.commits = newGroupCommit(l)
	}
	if cfg.Federation != nil {
		fctx, stop := context.WithCancel(context.Background())
		l.stopFederation, l.federationDone = stop, make(chan struct{})
		go func() { defer close(l.federationDone); l.watchFederation(fctx) }()
	}
	return l, nil
}

func (l *Log) startEmbedded() error {
	if l.cfg.DataDir == "" {
		return errors.New("embedded NATS needs a data dir")
	}
	lock, err := lockDataDir(l.cfg.DataDir)
	if err != nil {
		return err
	}
	l.lock = lock
	maxStore, maxMem := l.cfg.MaxStore, l.cfg.MaxMemory
	if maxStore <= 0 {
		maxStore = defaultMaxStore
	}
	if maxMem <= 0 {
		maxMem = defaultMaxMemory
	}
	name := "logbuch"
	if l.cfg.JetStreamDomain != "" {
		name += "-" + l.cfg.JetStreamDomain // server names differ across a leaf-node link
	}
	opts := &server.Options{
		ServerName:         name,
		Username:           l.cfg.User,
		Password:           l.cfg.Password,
		JetStream:          true,
		StoreDir:           filepath.Join(l.cfg.DataDir, "nats"),
		JetStreamMaxStore:  maxStore,
		JetStreamMaxMemory: maxMem,
		SyncAlways:         true, // fsync before acknowledging: an acknowledged event is never lost
		DontListen:         true, // no TCP port: only this process talks to it
		NoSigs:             true,
		MaxPayload:         MaxMessageSize + 4096,
		JetStreamDomain:    l.cfg.JetStreamDomain,
	}
	if err := l.cfg.leafNode(opts); err != nil {
		return err
	}
	if l.cfg.Listen != "" {
		if l.cfg.User == "" || l.cfg.Password == "" {
			return errors.New("--nats-listen opens a port for other programs: it needs --nats-user and --nats-password (or LOGBUCH_NATS_PASSWORD)")
		}
		host, port, err := net.SplitHostPort(l.cfg.Listen)
		if err != nil {
			return fmt.Errorf("--nats-listen %q: %w", l.cfg.Listen, err)
		}
		opts.Host, opts.DontListen = host, false
		if opts.Port, err = strconv.Atoi(port); err != nil {
			return fmt.Errorf("--nats-listen %q: port: %w", l.cfg.Listen, err)
		}
		if l.cfg.TLSCert != "" || l.cfg.TLSKey != "" {
			tc, err := server.GenTLSConfig(&server.TLSConfigOpts{CertFile: l.cfg.TLSCert, KeyFile: l.cfg.TLSKey})
			if err != nil {
				return fmt.Errorf("NATS TLS: %w", err)
			}
			opts.TLSConfig, opts.TLS = tc, true
		}
	}
	s, err := server.NewServer(opts)
	if err != nil {
		return fmt.Errorf("configure embedded NATS: %w", err)
	}
	s.SetLoggerV2(natsLogger{l.log.With("component", "nats")}, false, false, false)
	s.Start()
	if !s.ReadyForConnections(30 * time.Second) {
		s.Shutdown()
		return fmt.Errorf("embedded NATS did not become ready within 30s (store %s)", opts.StoreDir)
	}
	l.server = s
	copts := []nats.Option{nats.InProcessServer(s), nats.Name("logbuch")}
	if l.cfg.User != "" {
		copts = append(copts, nats.UserInfo(l.cfg.User, l.cfg.Password))
	}
	l.nc, err = nats.Connect("", copts...)
	if err != nil {
		return fmt.Errorf("connect to embedded NATS: %w", err)
	}
	return nil
}

// FsyncBeforeAck reports whether the embedded server fsyncs every write
// before acknowledging it. For an external server the client cannot tell.
func (l *Log) FsyncBeforeAck() (known, on bool) {
	if l.server == nil {
		return false, false
	}
	cfg := l.server.JetStreamConfig()
	return true, cfg != nil && cfg.SyncAlways
}

// Conn is the NATS connection, for ephemeral signals that are not history.
func (l *Log) Conn() *nats.Conn { return l.nc }

// Close flushes and closes the connection, stops the embedded server and
// releases the data dir.
func (l *Log) Close() error {
	var err error
	if l.stopFederation != nil {
		l.stopFederation()
		<-l.federationDone
	}
	if l.commits != nil {
		l.commits.stop()
	}
	if l.nc != nil {
		if l.nc.IsConnected() {
			if ferr := l.nc.FlushTimeout(5 * time.Second); ferr != nil {
				err = fmt.Errorf("flush NATS: %w", ferr)
			}
		}
		l.nc.Close()
	}
	if l.server != nil {
		l.server.Shutdown()
		l.server.WaitForShutdown()
	}
	l.lock.release()
	return err
}

// ConflictError is returned when the aggregate's last sequence was not the
// expected one (JetStream errors 10071 and 10164).
type ConflictError struct {
	Subject  string
	Expected uint64
	Cause    error
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("conflict on %s: expected last sequence %d: %v", e.Subject, e.Expected, e.Cause)
}

// Is makes a ConflictError match domain.ErrStale.
func (e *ConflictError) Is(target error) bool { return target == domain.ErrStale }

// Unwrap returns the JetStream error.
func (e *ConflictError) Unwrap() error { return e.Cause }

// Append writes a command's events as one message: all or nothing, only if
// the subject's last sequence is still the expected one, de-duplicated by the
// command id.
func (l *Log) Append(ctx context.Context, c domain.Commit) (domain.Appended, error) {
	if len(c.Events) == 0 {
		return domain.Appended{}, errors.New("append: no events")
	}
	sealed, err := l.keys.seal(ctx, c.Subject, c.Events)
	if err != nil {
		return domain.Appended{}, fmt.Errorf("append to %s: %w", c.Subject, unavailable(ctx, err))
	}
	payload, err := domain.EncodeEvents(sealed)
	if err != nil {
		return domain.Appended{}, fmt.Errorf("append to %s: %w", c.Subject, err)
	}
	msg := nats.NewMsg(c.Subject)
	msg.Data = payload
	msg.Header.Set(headerCommandType, c.CommandType)
	msg.Header.Set(jetstream.MsgIDHeader, c.CommandID)
	msg.Header.Set(jetstream.ExpectedLastSubjSeqHeader, strconv.FormatUint(c.ExpectedSeq, 10))
	if l.commits == nil {
		return l.publishOne(ctx, c, msg)
	}
	app, err := l.commits.append(ctx, c, msg)
	return app, unavailable(ctx, err)
}

// publishOne writes one command's message and gives its own answer.
func (l *Log) publishOne(ctx context.Context, c domain.Commit, msg *nats.Msg) (domain.Appended, error) {
	ack, err := l.js.PublishMsg(ctx, msg)
	if err != nil {
		if isConflict(err) {
			// JetStream checks the expected sequence before de-duplicating, so
			// a retry whose first attempt landed looks like a conflict. If the
			// subject's last message is that first attempt, say so.
			if last, lerr := l.stream.GetLastMsgForSubject(ctx, c.Subject); lerr == nil && last.Header.Get(jetstream.MsgIDHeader) == c.CommandID {
				return domain.Appended{Seq: last.Sequence, Duplicate: true}, nil
			}
			return domain.Appended{}, &ConflictError{Subject: c.Subject, Expected: c.ExpectedSeq, Cause: err}
		}
		return domain.Appended{}, fmt.Errorf("publish to %s: %w", c.Subject, unavailable(ctx, err))
	}
	return domain.Appended{Seq: ack.Sequence, Duplicate: ack.Duplicate}, nil
}

func isConflict(err error) bool {
	var apiErr *jetstream.APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	return apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence ||
		apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant
}

// Load returns every message of one aggregate subject, in order. It reads
// by direct get in batches: no consumer is made (consumers per stream are
// limited, and an idle one lingers for minutes).
func (l *Log) Load(ctx context.Context, subject string) ([]domain.Recorded, error) {
	last, err := l.stream.GetLastMsgForSubject(ctx, subject)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("last message of %s: %w", subject, unavailable(ctx, err))
	}
	var out []domain.Recorded
	next := uint64(1)
	for next <= last.Sequence {
		msgs, err := jetstreamext.GetBatch(ctx, l.js, StreamName, 256, jetstreamext.GetBatchSeq(next), jetstreamext.GetBatchSubject(subject))
		if err != nil {
			return nil, fmt.Errorf("read %s from %d: %w", subject, next, unavailable(ctx, err))
		}
		n := 0
		for m, err := range msgs {
			if errors.Is(err, jetstreamext.ErrNoMessages) {
				// The last message is known (from the leader) but the node
				// that answered the read has not stored it yet: on a
				// cluster, a replica catching up. Retry, do not decide.
				return nil, fmt.Errorf("read %s from %d: %w (a replica is catching up: %w)", subject, next, errBusy, err)
			}
			if err != nil {
				return nil, fmt.Errorf("read %s from %d: %w", subject, next, unavailable(ctx, err))
			}
			n++
			rec, err := l.decodeRecord(ctx, m.Sequence, m.Subject, m.Header, m.Data)
			if err != nil {
				return nil, err
			}
			out = append(out, rec)
			next = m.Sequence + 1
		}
		if n == 0 {
			return nil, fmt.Errorf("read %s: the log ended before sequence %d: %w", subject, last.Sequence, errBusy)
		}
	}
	return out, nil
}

// Message returns the message stored at seq.
func (l *Log) Message(ctx context.Context, seq uint64) (domain.Recorded, error) {
	m, err := l.stream.GetMsg(ctx, seq)
	if err != nil {
		return domain.Recorded{}, fmt.Errorf("get message %d: %w", seq, unavailable(ctx, err))
	}
	return l.decodeRecord(ctx, m.Sequence, m.Subject, m.Header, m.Data)
}

// LastSeq is the sequence of the newest message in the log.
func (l *Log) LastSeq(ctx context.Context) (uint64, error) {
	info, err := l.stream.Info(ctx)
	if err == nil {
		return info.State.LastSeq, nil
	}
	if ctx.Err() == nil && transient(err) {
		// After a cluster node died, stream info may stay unanswered for a
		// while although writes and reads go on (seen with nats-server
		// 2.15): ask for the newest message instead.
		last, gerr := l.stream.GetLastMsgForSubject(ctx, "lb.>")
		switch {
		case gerr == nil:
			return last.Sequence, nil
		case errors.Is(gerr, jetstream.ErrMsgNotFound):
			return 0, nil
		}
	}
	return 0, fmt.Errorf("stream info: %w", unavailable(ctx, err))
}

func (l *Log) recordFromMsg(ctx context.Context, m jetstream.Msg) (domain.Recorded, error) {
	meta, err := m.Metadata()
	if err != nil {
		return domain.Recorded{}, fmt.Errorf("message metadata: %w", err)
	}
	return l.decodeRecord(ctx, meta.Sequence.Stream, m.Subject(), m.Headers(), m.Data())
}

// DecodeError is a stored message this program cannot read.
type DecodeError struct {
	Seq     uint64
	Subject string
	Err     error
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("decode message %d on %s: %v", e.Seq, e.Subject, e.Err)
}

func (e *DecodeError) Unwrap() error { return e.Err }

func (l *Log) decodeRecord(ctx context.Context, seq uint64, subject string, h nats.Header, data []byte) (domain.Recorded, error) {
	events, err := domain.DecodeEvents(data)
	if err != nil {
		return domain.Recorded{Seq: seq, Subject: subject}, &DecodeError{Seq: seq, Subject: subject, Err: err}
	}
	if err := l.keys.open(ctx, subject, events); err != nil {
		// The key store did not answer: not a bad message, so no skipping.
		return domain.Recorded{}, fmt.Errorf("open personal data of %d: %w", seq, err)
	}
	return domain.Recorded{
		Seq:         seq,
		Subject:     subject,
		CommandID:   h.Get(jetstream.MsgIDHeader),
		CommandType: h.Get(headerCommandType),
		Events:      events,
	}, nil
}

// natsLogger sends the embedded server's logs to slog.
type natsLogger struct{ l *slog.Logger }

func (n natsLogger) Noticef(format string, v ...any) {
	n.l.Debug(strings.TrimSpace(fmt.Sprintf(format, v...)))
}
func (n natsLogger) Warnf(format string, v ...any)  { n.l.Warn(fmt.Sprintf(format, v...)) }
func (n natsLogger) Fatalf(format string, v ...any) { n.l.Error(fmt.Sprintf(format, v...)) }
func (n natsLogger) Errorf(format string, v ...any) { n.l.Error(fmt.Sprintf(format, v...)) }
func (n natsLogger) Debugf(format string, v ...any) { n.l.Debug(fmt.Sprintf(format, v...)) }
func (n natsLogger) Tracef(format string, v ...any) {}
