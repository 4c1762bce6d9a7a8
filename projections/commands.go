package projections

import "logbuch/domain"

// Commands remembers every applied command id, so that a retry long after
// JetStream's de-duplication window is still answered as the first time.
type Commands struct {
	byID map[string]domain.Result
}

// NewCommands returns an empty command index.
func NewCommands() *Commands { return &Commands{byID: map[string]domain.Result{}} }

// Apply implements ReadModel. The index feeds no page.
func (c *Commands) Apply(rec domain.Recorded) []string {
	if rec.CommandID != "" {
		c.byID[rec.CommandID] = domain.Result{Seq: rec.Seq, Subject: rec.Subject, CommandType: rec.CommandType}
	}
	return nil
}

func (c *Commands) lookup(id string) (domain.Result, bool) {
	r, ok := c.byID[id]
	return r, ok
}
