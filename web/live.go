package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
	"golang.org/x/time/rate"

	"logbuch/domain"
	"logbuch/projections"
	"logbuch/web/i18n"
)

// What a browser may send on /live.
type clientMessage struct {
	Type  string   `json:"t"`     // "sub" or "here"
	Views []string `json:"views"` // sub: views to follow
	Since uint64   `json:"since"` // sub: the log sequence the page showed
	Space string   `json:"space"` // here: the view the page is about
	Field string   `json:"field"` // here: the field being edited, or ""
}

const (
	presenceRate     = 5  // presence reports per second and connection…
	presenceBurst    = 20 // …and at once
	maxClientMessage = 4096
	maxViewsPerConn  = 32
	writeTimeout     = 5 * time.Second
	pingInterval     = 25 * time.Second
)

// Close reasons travel in the WebSocket protocol, for developer tools and
// logs; the page never shows them (it shows its own status text).
const (
	reasonSlow      = "too slow, reconnect"
	reasonGoingAway = "server restarting"
	reasonBadInput  = "invalid message"
)

// handleLive is the WebSocket at /live: it carries subscriptions and resumes
// from the browser, and rendered updates to it. Commands never travel here.
func (s *Server) handleLive() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := principalOf(r)
		if !p.LoggedIn() {
			s.writeError(w, r, http.StatusUnauthorized, "unauthorized", "", tr(r.Context(), "err.session.login_required"))
			return
		}
		if !s.perUser.acquire(p.Person, s.cfg.MaxConnsPerPerson) {
			s.metrics.liveRefused.WithLabelValues("per_person").Inc()
			s.writeError(w, r, http.StatusTooManyRequests, "too_many_connections", "", tr(r.Context(), "live.too_many_windows"))
			return
		}
		c, err := websocket.Accept(w, r, &websocket.AcceptOptions{
			// The origin check stays on: only our own pages (and configured
			// extra origins) may open the socket with the user's cookies.
			OriginPatterns:  s.cfg.ExtraOrigins,
			CompressionMode: websocket.CompressionDisabled,
		})
		if err != nil {
			s.perUser.release(p.Person)
			s.log.Info("websocket refused", "err", err, "origin", r.Header.Get("Origin"))
			return
		}
		c.SetReadLimit(maxClientMessage)
		sub := &subscriber{msgs: make(chan []byte, subscriberBuffer), views: map[string]bool{}, session: limitKey(p), role: p.Role, event: p.Event,
			person: p.Actor(), name: s.displayName(p), lang: addressLanguage(r, i18n.From(r.Context()).Code())}
		sub.closeSlow = func() { c.Close(websocket.StatusPolicyViolation, reasonSlow) }
		if !s.hub.add(sub) {
			s.perUser.release(p.Person)
			c.Close(websocket.StatusGoingAway, reasonGoingAway)
			return
		}
		s.conns.Store(sub, c)
		// The connection lives on in goroutines of its own, with shallow
		// stacks: the handler's goroutine (deep in the middleware) ends
		// here, which saves about 8 KiB per open connection.
		ctx, cancel := context.WithCancel(context.WithoutCancel(r.Context()))
		go func() {
			defer cancel()
			s.readLive(ctx, c, sub)
		}()
		go func() {
			defer func() {
				cancel()
				c.CloseNow()
				s.hub.remove(sub)
				s.presence.leave(sub)
				s.conns.Delete(sub)
				s.perUser.release(p.Person)
			}()
			s.writeLive(ctx, c, sub)
		}()
	})
}

// writeLive sends a connection's updates and pings until it ends.
func (s *Server) writeLive(ctx context.Context, c *websocket.Conn, sub *subscriber) {
	ticker := time.NewTicker(pingInterval)
	defer ticker.Stop()
	// A connection that follows nothing is closed: it only costs.
	idle := time.NewTimer(s.cfg.IdleLive)
	defer idle.Stop()
	for {
		select {
		case <-idle.C:
			if s.hub.subscriptionCount(sub) == 0 {
				s.metrics.liveRefused.WithLabelValues("idle").Inc()
				c.Close(websocket.StatusPolicyViolation, "no view subscribed")
				return
			}
		case msg := <-sub.msgs:
			wctx, wcancel := context.WithTimeout(ctx, writeTimeout)
			err := c.Write(wctx, websocket.MessageText, msg)
			wcancel()
			if err != nil {
				return
			}
		case <-ticker.C:
			pctx, pcancel := context.WithTimeout(ctx, writeTimeout)
			err := c.Ping(pctx)
			pcancel()
			if err != nil {
				return
			}
		case <-ctx.Done():
			return
		}
	}
}

func (s *Server) readLive(ctx context.Context, c *websocket.Conn, sub *subscriber) {
	// Presence reports fan out to every replica and every viewer of a
	// page: a connection may send a few per second (focus moving between
	// fields), not a flood.
	here := rate.NewLimiter(presenceRate, presenceBurst)
	for {
		typ, data, err := c.Read(ctx)
		if err != nil {
			var ce websocket.CloseError
			if errors.As(err, &ce) || ctx.Err() != nil {
				return
			}
			// Oversized messages end up here: the library closes with 1009.
			return
		}
		if typ != websocket.MessageText {
			c.Close(websocket.StatusUnsupportedData, reasonBadInput)
			return
		}
		msg, err := decodeClientMessage(data)
		if err != nil {
			c.Close(websocket.StatusPolicyViolation, reasonBadInput)
			return
		}
		if msg.Type == "here" {
			if !here.Allow() {
				c.Close(websocket.StatusPolicyViolation, "too many messages")
				return
			}
			// Presence only where the connection may look: a view it follows.
			if s.hub.follows(sub, msg.Space) {
				s.presence.set(sub, presenceEntry{Space: msg.Space, Person: sub.person, Name: sub.name, Field: msg.Field})
			}
			continue
		}
		if len(sub.views)+len(msg.Views) > maxViewsPerConn {
			c.Close(websocket.StatusPolicyViolation, "too many views")
			return
		}
		for _, v := range msg.Views {
			// Authorization per view, on the server, for every subscription.
			ev, _ := wallOf(v)
			if _, rated, ok := ratingView(v); ok {
				ev = rated
			}
			if !domain.Can(sub.role, viewAction(v)) || !domain.CanIn(sub.role, viewAction(v), sub.event, ev) {
				c.Close(websocket.StatusPolicyViolation, "not allowed to see this view")
				return
			}
			if !knowhowMayFollow(sub, v) {
				c.Close(websocket.StatusPolicyViolation, "not allowed to see this view")
				return
			}
			if !s.viewExists(v) {
				continue
			}
			s.hub.subscribe(ctx, sub, v, msg.Since)
		}
	}
}

// decodeClientMessage parses one message from a browser, strictly.
func decodeClientMessage(data []byte) (clientMessage, error) {
	var msg clientMessage
	if err := decodeStrictJSON(data, &msg); err != nil {
		return msg, err
	}
	switch msg.Type {
	case "sub":
		if msg.Space != "" || msg.Field != "" {
			return msg, errors.New("sub carries no presence")
		}
	case "here":
		if len(msg.Views) > 0 || msg.Since != 0 || !validViewName(msg.Space) {
			return msg, errors.New("invalid presence")
		}
		if msg.Field != "" && !presenceFieldPattern.MatchString(msg.Field) {
			return msg, errors.New("invalid presence field")
		}
		return msg, nil
	default:
		return msg, errors.New("unknown message type")
	}
	for _, v := range msg.Views {
		if !validViewName(v) {
			return msg, errors.New("invalid view name")
		}
	}
	return msg, nil
}

// connCounter counts live connections per person.
type connCounter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *connCounter) acquire(person string, max int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n[person] >= max {
		return false
	}
	c.n[person]++
	return true
}

func (c *connCounter) release(person string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n[person]--; c.n[person] <= 0 {
		delete(c.n, person)
	}
}

// viewAction is the permission a live view needs.
func viewAction(view string) string {
	if view == projections.RosterViewName {
		return domain.ViewRoster
	}
	if strings.HasPrefix(view, "lotse/") {
		return domain.ViewPerson
	}
	if _, audience, ok := wallView(view); ok {
		if audience == projections.WallModeration {
			return "HideWallPost"
		}
		return domain.ViewWall
	}
	if action, ok := knowhowView(view); ok {
		return action
	}
	if a, ok := topicViewAction(view); ok {
		return a
	}
	if _, ok := dashboardYearOf(view); ok {
		return domain.ViewDashboard
	}
	if action, _, ok := ratingView(view); ok {
		return action
	}
	if _, ok := reportYearOf(view); ok {
		return domain.ViewReport
	}
	if _, ok := surveyViewYear(view); ok {
		return domain.ViewSurvey
	}
	return "view:unknown"
}

// closeSession closes the live connections of a session that ended, here or
// on another replica.
func (s *Server) closeSession(key string) {
	s.conns.Range(func(k, v any) bool {
		if sub := k.(*subscriber); sub.session == key {
			s.hub.remove(sub)
			v.(*websocket.Conn).Close(websocket.StatusPolicyViolation, "session ended, log in again")
		}
		return true
	})
}

// closeAll closes every live connection with a going-away status.
func (s *Server) closeAll() {
	s.hub.Close(func(sub *subscriber) {
		if c, ok := s.conns.Load(sub); ok {
			c.(*websocket.Conn).Close(websocket.StatusGoingAway, reasonGoingAway)
		}
	})
}

func decodeStrictJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	// dec.More is false before a stray '}' or ']': check the rest is blank.
	if len(bytes.TrimSpace(data[dec.InputOffset():])) > 0 {
		return errors.New("trailing data after JSON value")
	}
	return nil
}
