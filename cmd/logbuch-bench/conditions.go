package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// conditions are the machine's state during a run: what it is, and how busy
// other processes kept it. Other load makes every figure worse, Logbuch's and
// the raw engine's alike; the ratios suffer less than the absolute figures.
type conditions struct {
	cpu         string
	cores       int
	memTotal    string
	goVersion   string
	kernel      string
	commit      string
	date        time.Time
	quick       bool
	load1Before float64
	load1After  float64
	start       cpuMark
	end         cpuMark
	sections    []sectionLoad
	fdLimit     uint64
}

type sectionLoad struct {
	name  string
	took  time.Duration
	other float64 // share of the machine's CPU time used by other processes
}

// cpuMark is a reading of /proc/stat and of this process's CPU time.
type cpuMark struct {
	total, idle uint64 // whole machine, in clock ticks
	self        uint64 // this process and its waited-for children
}

func startConditions(s settings) *conditions {
	c := &conditions{cpu: cpuModel(), cores: runtime.NumCPU(), memTotal: memTotal(), goVersion: runtime.Version(),
		kernel: kernelRelease(), commit: gitCommit(), date: time.Now(), quick: s.quick, load1Before: load1()}
	var lim syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim) == nil {
		c.fdLimit = lim.Cur
	}
	c.start = c.mark()
	return c
}

func (c *conditions) mark() cpuMark {
	m := cpuMark{}
	if b, err := os.ReadFile("/proc/stat"); err == nil {
		line, _, _ := strings.Cut(string(b), "\n")
		f := strings.Fields(line)
		for i, v := range f[1:] {
			n, _ := strconv.ParseUint(v, 10, 64)
			if i == 8 || i == 9 { // guest time is already counted in user time
				continue
			}
			m.total += n
			if i == 3 || i == 4 { // idle, iowait
				m.idle += n
			}
		}
	}
	if b, err := os.ReadFile("/proc/self/stat"); err == nil {
		s := string(b)
		// Fields after the command name, which is in parentheses.
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
		for _, i := range []int{11, 12, 13, 14} { // utime, stime, cutime, cstime
			n, _ := strconv.ParseUint(f[i], 10, 64)
			m.self += n
		}
	}
	return m
}

// otherShare is the share of the machine's CPU time between two marks that
// went to other processes.
func otherShare(a, b cpuMark) float64 {
	total := float64(b.total - a.total)
	if total <= 0 {
		return 0
	}
	busy := float64((b.total - b.idle) - (a.total - a.idle))
	other := busy - float64(b.self-a.self)
	return max(0, other/total)
}

func (c *conditions) section(name string, took time.Duration, from cpuMark) {
	c.sections = append(c.sections, sectionLoad{name: name, took: took, other: otherShare(from, c.mark())})
}

func (c *conditions) finish() {
	c.end = c.mark()
	c.load1After = load1()
}

// loadVerdict judges by what other processes actually used during the run;
// the load average before the start also counts work that just ended.
func (c *conditions) loadVerdict() string {
	other := otherShare(c.start, c.end)
	worst := other
	for _, s := range c.sections {
		worst = max(worst, s.other)
	}
	switch {
	case worst < 0.05:
		return fmt.Sprintf("quiet: other processes used under 5 %% of the machine in every section (load average before the start %.2f)", c.load1Before)
	case worst < 0.15:
		return "some other load: figures are a little pessimistic"
	default:
		return "other load present: absolute figures are pessimistic; compare the ratios"
	}
}

func (c *conditions) lines() [][2]string {
	mode := "full run"
	if c.quick {
		mode = "quick run (-quick: scaled down, not for comparison)"
	}
	out := [][2]string{
		{"Date", c.date.Format("2006-01-02 15:04 MST")},
		{"CPU", c.cpu},
		{"Cores", strconv.Itoa(c.cores) + " (GOMAXPROCS " + strconv.Itoa(runtime.GOMAXPROCS(0)) + ")"},
		{"Memory", c.memTotal},
		{"Go", c.goVersion + " " + runtime.GOOS + "/" + runtime.GOARCH},
		{"Kernel", c.kernel},
		{"Commit", c.commit},
		{"Open files limit", strconv.FormatUint(c.fdLimit, 10)},
		{"Run", mode},
		{"Load average (1 min) before the start", fmt.Sprintf("%.2f", c.load1Before)},
		{"Load average (1 min) at the end", fmt.Sprintf("%.2f (includes this benchmark)", c.load1After)},
		{"CPU used by other processes during the run", fmt.Sprintf("%.0f %% of the machine", 100*otherShare(c.start, c.end))},
	}
	var secs []string
	for _, s := range c.sections {
		secs = append(secs, fmt.Sprintf("%s %s (others %.0f %%)", s.name, s.took.Round(time.Second), 100*s.other))
	}
	out = append(out, [2]string{"Sections", strings.Join(secs, ", ")}, [2]string{"Other load", c.loadVerdict()})
	return out
}

func (c *conditions) text() string {
	var b strings.Builder
	b.WriteString("Conditions\n")
	for _, l := range c.lines() {
		fmt.Fprintf(&b, "  %-44s %s\n", l[0]+":", l[1])
	}
	return b.String()
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

func memTotal() string {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			f := strings.Fields(v)
			kib, _ := strconv.ParseFloat(f[0], 64)
			return fmt.Sprintf("%.1f GiB", kib/(1<<20))
		}
	}
	return "unknown"
}

func kernelRelease() string {
	b, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(b))
}

// gitCommit names the code that was measured; "+ local changes" when the
// working tree differs from it.
func gitCommit() string {
	out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	commit := strings.TrimSpace(string(out))
	if err := exec.Command("git", "diff", "--quiet", "HEAD", "--", ".").Run(); err != nil {
		commit += " + local changes"
	}
	return commit
}

func load1() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return -1
	}
	f := strings.Fields(string(b))
	v, _ := strconv.ParseFloat(f[0], 64)
	return v
}

// raiseFileLimit lifts the soft limit of open files to the hard limit: the
// fan-out and memory rows hold thousands of sockets.
func raiseFileLimit() {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return
	}
	if lim.Cur < lim.Max {
		lim.Cur = lim.Max
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
	}
}
