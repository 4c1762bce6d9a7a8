package projections

import (
	"context"
	"time"
)

// BoardAsOf returns a board as it was at t ("Stand am …"), replayed from
// the log; ok is false when the board did not exist yet at t.
func (r *Runner) BoardAsOf(ctx context.Context, id string, t time.Time) (BoardView, bool, error) {
	past, err := ReplayUntil(ctx, r.src, t)
	if err != nil {
		return BoardView{}, false, err
	}
	v, ok := past.Board(id)
	return v, ok, nil
}
