package web

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// commandLimits gives every session or API token its own budget of
// commands, so that one runaway client cannot flood the record.
type commandLimits struct {
	mu       sync.Mutex
	limiters map[string]*limiterEntry
	rate     rate.Limit
	burst    int
}

type limiterEntry struct {
	l    *rate.Limiter
	seen time.Time
}

func newCommandLimits(perSecond float64, burst int) *commandLimits {
	return &commandLimits{limiters: map[string]*limiterEntry{}, rate: rate.Limit(perSecond), burst: burst}
}

func (c *commandLimits) allow(key string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	e, ok := c.limiters[key]
	if !ok {
		if len(c.limiters) > 10000 {
			for k, v := range c.limiters {
				if now.Sub(v.seen) > time.Minute {
					delete(c.limiters, k)
				}
			}
		}
		e = &limiterEntry{l: rate.NewLimiter(c.rate, c.burst)}
		c.limiters[key] = e
	}
	e.seen = now
	return e.l.Allow()
}
