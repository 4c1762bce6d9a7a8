package web

import (
	"context"
	"io"
	"time"
)

// RenderDashboardForBench renders the live part of one year's dashboard as
// of asOf to w, the way the hub renders it for every change (figures, feed,
// template); for cmd/logbuch-bench, which times it on big logs.
func (s *Server) RenderDashboardForBench(ctx context.Context, w io.Writer, year int, asOf time.Time) error {
	p := s.dashboardData(year, asOf, time.Now())
	return dashboardLive(p).Render(ctx, w)
}
