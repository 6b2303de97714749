// Command report prints the medians of a benchmark results file as a
// Markdown table.
//
// Usage:
//
//	report results/latest.csv
//	report -memory results/memory.csv
//
// A results file is CSV with a header naming at least the columns server,
// scenario, rps, cpu_us_per_req and errors, one row per measurement; report
// prints, per scenario and server in the order they first appear, the median
// requests per second, the median server CPU time per request, that CPU
// time as a ratio to fasthttp's and to raw's, the number of measurements and
// the socket errors and bad statuses counted over all of them. A row whose
// cpu_us_per_req is empty (no request completed) counts in the requests per
// second but not in the CPU median.
//
// A memory file has the columns server, conns, rss_before_kib,
// rss_after_kib; report prints the resident memory added per connection.
package main

import (
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
)

func main() {
	memory := flag.Bool("memory", false, "the file holds memory results")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: report [-memory] FILE.csv")
		os.Exit(2)
	}
	if err := report(os.Stdout, flag.Arg(0), *memory); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}

func report(w io.Writer, name string, memory bool) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	recs, err := readRecords(f)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if memory {
		return writeMemory(w, recs)
	}
	return writeCPU(w, recs)
}

// record is one CSV row keyed by column name.
type record map[string]string

// readRecords reads CSV with a header line.
func readRecords(r io.Reader) ([]record, error) {
	rows, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, errors.New("no header")
	}
	head := rows[0]
	recs := make([]record, 0, len(rows)-1)
	for _, row := range rows[1:] {
		rec := make(record, len(head))
		for i, col := range head {
			rec[col] = row[i]
		}
		recs = append(recs, rec)
	}
	return recs, nil
}

// float reads column col of rec as a number.
func (rec record) float(col string) (float64, error) {
	s, ok := rec[col]
	if !ok {
		return 0, fmt.Errorf("no column %q", col)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("column %s: %w", col, err)
	}
	return v, nil
}

// cell gathers the measurements of one server in one scenario.
type cell struct {
	scenario, server string
	runs             int
	rps, cpu         []float64 // cpu lacks the runs in which nothing completed
	errors           float64
}

// gather groups records by scenario and server, keeping the order in which
// each first appears.
func gather(recs []record) ([]*cell, error) {
	var cells []*cell
	index := map[[2]string]*cell{}
	for i, rec := range recs {
		key := [2]string{rec["scenario"], rec["server"]}
		c := index[key]
		if c == nil {
			c = &cell{scenario: key[0], server: key[1]}
			index[key] = c
			cells = append(cells, c)
		}
		rps, err1 := rec.float("rps")
		errs, err2 := rec.float("errors")
		// An empty CPU figure marks a measurement in which no request
		// completed: its requests/s counts, its CPU per request does not
		// exist.
		var cpu float64
		var err3 error
		if v, ok := rec["cpu_us_per_req"]; !ok || v != "" {
			cpu, err3 = rec.float("cpu_us_per_req")
		}
		if err := errors.Join(err1, err2, err3); err != nil {
			return nil, fmt.Errorf("row %d: %w", i+2, err)
		}
		c.runs++
		c.rps = append(c.rps, rps)
		if rec["cpu_us_per_req"] != "" {
			c.cpu = append(c.cpu, cpu)
		}
		c.errors += errs
	}
	return cells, nil
}

// median returns the median of vs, the mean of the middle two for an even
// count, and 0 for none. It sorts a copy.
func median(vs []float64) float64 {
	if len(vs) == 0 {
		return 0
	}
	s := slices.Clone(vs)
	slices.Sort(s)
	m := len(s) / 2
	if len(s)%2 == 0 {
		return (s[m-1] + s[m]) / 2
	}
	return s[m]
}

// writeCPU prints the medians table of a CPU results file.
func writeCPU(w io.Writer, recs []record) error {
	cells, err := gather(recs)
	if err != nil {
		return err
	}
	base := map[[2]string]float64{} // scenario, server -> median CPU
	for _, c := range cells {
		base[[2]string{c.scenario, c.server}] = median(c.cpu)
	}
	ratio := func(c *cell, to string) string {
		b, ok := base[[2]string{c.scenario, to}]
		if !ok || b == 0 {
			return "-"
		}
		return fmt.Sprintf("%.2f", median(c.cpu)/b)
	}

	fmt.Fprintln(w, "| scenario | server | req/s | CPU µs/req | CPU vs fasthttp | CPU vs raw | runs | errors |")
	fmt.Fprintln(w, "|---|---|---:|---:|---:|---:|---:|---:|")
	for _, c := range cells {
		fmt.Fprintf(w, "| %s | %s | %.0f | %.2f | %s | %s | %d | %.0f |\n",
			c.scenario, c.server, median(c.rps), median(c.cpu),
			ratio(c, "fasthttp"), ratio(c, "raw"), c.runs, c.errors)
	}
	return nil
}

// writeMemory prints the memory added per idle connection.
func writeMemory(w io.Writer, recs []record) error {
	fmt.Fprintln(w, "| server | connections | RSS before (KiB) | RSS held (KiB) | KiB per connection |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|")
	for i, rec := range recs {
		n, err1 := rec.float("conns")
		before, err2 := rec.float("rss_before_kib")
		after, err3 := rec.float("rss_after_kib")
		if err := errors.Join(err1, err2, err3); err != nil {
			return fmt.Errorf("row %d: %w", i+2, err)
		}
		per := "-"
		if n > 0 {
			per = fmt.Sprintf("%.2f", (after-before)/n)
		}
		fmt.Fprintf(w, "| %s | %.0f | %.0f | %.0f | %s |\n", rec["server"], n, before, after, per)
	}
	return nil
}
