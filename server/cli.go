package main

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/sarhad/sarhad"
	"github.com/sarhad/sarhad/export"
	"github.com/sarhad/sarhad/ingest"
)

// The commands besides serving: `import` loads files into the store, `export` writes what a viewer
// may see of it. Both open the store the server would (flags -data, -neo4j-*, or their environment
// variables) and leave an entry in the audit trail.

// errRejected is returned by import when some records were rejected and the others imported.
var errRejected = errors.New("some records were rejected")

// command runs the command named by args[0], if any; ok is false when args name no command.
func command(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) (ok bool, err error) {
	if len(args) == 0 {
		return false, nil
	}
	switch args[0] {
	case "import":
		return true, runImport(ctx, args[1:], getenv, stdout, stderr)
	case "export":
		return true, runExport(ctx, args[1:], getenv, stdout, stderr)
	}
	return false, nil
}

// runImport is `sarhad import [flags] FILE...`.
func runImport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c := &config{}
	fs := flag.NewFlagSet("sarhad import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: sarhad import -org ORG -country CODE [flags] FILE...\n\nImports CSV, JSON Lines, FollowTheMoney or adjacency-matrix files (see ingest/README.md).")
		fs.PrintDefaults()
	}
	storeFlags(fs, c, getenv)
	format := fs.String("format", "", "csv, jsonl, ftm or matrix; detected from each file when empty")
	org := fs.String("org", "", "originating organisation of the records (required)")
	country := fs.String("country", "", "originating country, ISO alpha-2 or alpha-3 (required)")
	tlp := fs.String("tlp", "AMBER", "TLP marking: RED, AMBER_STRICT, AMBER, GREEN or CLEAR")
	release := fs.String("release", "", "comma-separated countries the records are released to (AMBER, GREEN)")
	atomic := fs.Bool("atomic", false, "import all or nothing")
	batch := fs.Int("batch", ingest.DefaultBatchSize, "records per transaction")
	prefix := fs.String("matrix-name-prefix", "", `name of the persons of a matrix before their label (default "Participant ")`)
	progress := fs.String("progress", "auto", "auto (a bar on a terminal, lines otherwise), bar, lines or none")
	every := fs.Duration("progress-every", 5*time.Second, "interval of progress lines")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 || *org == "" || *country == "" {
		fs.Usage()
		return fmt.Errorf("import: give -org, -country and at least one file")
	}
	h := sarhad.Handling{OriginatorOrg: *org, OriginatorCountry: *country, TLP: sarhad.TLP(strings.ToUpper(*tlp))}
	for _, r := range strings.Split(*release, ",") {
		if r = strings.TrimSpace(r); r != "" {
			h.ReleasableTo = append(h.ReleasableTo, r)
		}
	}
	store, _, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer store.Close()
	svc := &sarhad.Service{Store: store, Now: time.Now, Rand: rand.Reader}

	files := fs.Args()
	show := newProgress(*progress, *every, stderr)
	opts := ingest.Options{Format: ingest.Format(strings.ToLower(*format)), Handling: h, Atomic: *atomic, BatchSize: *batch,
		Progress: show.update, Matrix: ingest.MatrixOptions{NamePrefix: *prefix}, VictimsWritten: svc.ProtectSameAs}
	ctx = sarhad.NewContext(ctx, sarhad.SystemViewer())
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = filepath.Base(f)
	}
	auditArgs := map[string]any{"files": names, "format": *format, "org": *org, "country": *country, "tlp": *tlp,
		"release": *release, "atomic": *atomic}
	// An entry before it starts, as for a mutation: an import killed midway leaves it.
	if err := auditCommand(ctx, svc, "import", auditArgs, sarhad.AuditStarted, nil); err != nil {
		return fmt.Errorf("import: the audit trail cannot be written, so nothing was imported: %s", sarhad.ErrorMessage(err))
	}
	started := time.Now()
	rep, err := ingest.Run(ctx, store, files, opts)
	show.finish()
	if o, ok := store.(sarhad.Optimizer); ok && rep != nil && rep.Created+rep.Updated > 0 {
		// Merge what the batches left in many pieces (the name index), for the reads that follow.
		if oerr := o.Optimize(ctx); oerr != nil && err == nil {
			err = oerr
		}
	}
	outcome := sarhad.AuditOK
	switch {
	case err != nil:
		outcome = cmp.Or(sarhad.ErrorCode(err), sarhad.EINTERNAL)
	case len(rep.Rejected) > 0:
		outcome = "REJECTED_RECORDS"
	}
	if aerr := auditCommand(ctx, svc, "import", auditArgs, outcome, nil); aerr != nil && err == nil {
		err = aerr
	}
	if rep != nil {
		for _, r := range rep.Rejected {
			fmt.Fprintln(stderr, "rejected:", r)
		}
		elapsed := time.Since(started)
		fmt.Fprintf(stdout, "%d files, %d records read in %s: %d created, %d updated, %d unchanged, %d skipped, %d rejected\n",
			rep.Files, rep.Read, elapsed.Round(time.Millisecond), rep.Created, rep.Updated, rep.Unchanged, rep.Skipped, len(rep.Rejected))
	}
	if err != nil {
		return fmt.Errorf("import: %s", sarhad.ErrorMessage(err))
	}
	if len(rep.Rejected) > 0 {
		return errRejected
	}
	return nil
}

// runExport is `sarhad export [flags]`.
func runExport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c := &config{}
	fs := flag.NewFlagSet("sarhad export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: sarhad export -format graphml|csv|ftm -org ORG -country CODE [flags]\n\n"+
			"Writes what a viewer of the organisation and country given may see.")
		fs.PrintDefaults()
	}
	storeFlags(fs, c, getenv)
	format := fs.String("format", "graphml", "graphml, csv (a directory of import-layout files) or ftm (FollowTheMoney JSON lines)")
	org := fs.String("org", "", "organisation of the viewer the export is for (required)")
	country := fs.String("country", "", "country of that viewer, ISO alpha-3 (required)")
	clearance := fs.String("clearance", "", "clearances of the viewer, comma-separated (VICTIM_PII shows victims' details to their originating organisation)")
	out := fs.String("out", "-", "file to write (- for standard output); for csv, a directory")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *org == "" || *country == "" || fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("export: give -org and -country")
	}
	code, err := sarhad.CountryCode("country", *country)
	if err != nil {
		return fmt.Errorf("export: %s", sarhad.ErrorMessage(err))
	}
	v := &sarhad.Viewer{Subject: "export:" + *org, Name: "sarhad export", Roles: []sarhad.Role{sarhad.RoleAnalyst}, Country: code, Org: *org}
	for _, cl := range strings.Split(*clearance, ",") {
		if cl = strings.TrimSpace(cl); cl != "" {
			v.Clearances = append(v.Clearances, cl)
		}
	}
	store, _, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer store.Close()
	svc := &sarhad.Service{Store: store, Now: time.Now, Rand: rand.Reader}
	ctx = sarhad.NewContext(ctx, v)
	exported := &sarhad.SensitiveIDs{} // for the audit entry, as a query's lists what it returned
	ctx = sarhad.WithSensitiveIDs(ctx, exported)

	write := func(w io.Writer) error {
		switch *format {
		case "graphml":
			return export.GraphML(ctx, svc, w)
		case "ftm":
			return export.FtM(ctx, svc, w)
		}
		return fmt.Errorf("export: unknown format %q", *format)
	}
	switch {
	case *format == "csv":
		if *out == "-" {
			return fmt.Errorf("export: csv needs -out DIRECTORY")
		}
		err = export.CSV(ctx, svc, *out)
	case *out == "-":
		err = write(stdout)
	default:
		// Readable by its owner only, and never over an existing file, as the CSV files are.
		var f *os.File
		if f, err = os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600); err != nil {
			return err
		}
		err = write(f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	outcome := sarhad.AuditOK
	if err != nil {
		outcome = cmp.Or(sarhad.ErrorCode(err), sarhad.EINTERNAL)
	}
	if aerr := auditCommand(ctx, svc, "export", map[string]any{"format": *format, "org": *org, "country": code,
		"clearance": *clearance}, outcome, exported.List()); aerr != nil && err == nil {
		err = aerr
	}
	return err
}

// auditCommand records a command in the audit trail as the viewer in ctx, with the sensitive
// records it gave out.
func auditCommand(ctx context.Context, svc *sarhad.Service, name string, args map[string]any, outcome string, sensitive []string) error {
	v, err := sarhad.ViewerFrom(ctx)
	if err != nil {
		return err
	}
	b, err := json.Marshal(args)
	if err != nil {
		return err
	}
	// The audit entry is written even when the command was interrupted.
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	return svc.Audit(actx, &sarhad.AuditEntry{Subject: v.Subject, Roles: v.Roles, Country: v.Country, Org: v.Org,
		OperationName: name, OperationType: "command", Variables: string(b), SensitiveIDs: sensitive, Outcome: outcome})
}

// progressDisplay shows an import's progress: a bar on a terminal (records, rate, time left, from
// the bytes read), plain lines every few seconds otherwise, or nothing.
type progressDisplay struct {
	bar   *progressbar.ProgressBar
	w     io.Writer
	lines bool
	every time.Duration
	last  time.Time
	start time.Time
	p     ingest.Progress
}

func newProgress(mode string, every time.Duration, w io.Writer) *progressDisplay {
	d := &progressDisplay{w: w, start: time.Now(), every: every}
	if mode == "auto" {
		mode = "lines"
		if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			mode = "bar"
		}
	}
	switch mode {
	case "bar":
		d.bar = progressbar.NewOptions64(-1, progressbar.OptionSetWriter(w), progressbar.OptionShowBytes(true),
			progressbar.OptionSetDescription("importing"), progressbar.OptionShowCount(), progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())
	case "lines":
		d.lines = true
	}
	return d
}

func (d *progressDisplay) update(p ingest.Progress) {
	d.p = p
	switch {
	case d.bar != nil:
		if d.bar.GetMax64() != p.TotalBytes && p.TotalBytes > 0 {
			d.bar.ChangeMax64(p.TotalBytes)
		}
		d.bar.Describe(fmt.Sprintf("%s: %d records, %s", filepath.Base(p.File), p.Records, d.rate(p)))
		_ = d.bar.Set64(p.Bytes)
	case d.lines && time.Since(d.last) >= d.every:
		d.last = time.Now()
		d.line(p)
	}
}

func (d *progressDisplay) rate(p ingest.Progress) string {
	secs := time.Since(d.start).Seconds()
	if secs <= 0 {
		return ""
	}
	return fmt.Sprintf("%.0f records/s", float64(p.Records)/secs)
}

func (d *progressDisplay) line(p ingest.Progress) {
	left := ""
	if p.Bytes > 0 && p.TotalBytes > p.Bytes {
		remaining := time.Duration(float64(time.Since(d.start)) * float64(p.TotalBytes-p.Bytes) / float64(p.Bytes))
		left = ", about " + remaining.Round(time.Second).String() + " left"
	}
	pct := 0.0
	if p.TotalBytes > 0 {
		pct = 100 * float64(p.Bytes) / float64(p.TotalBytes)
	}
	fmt.Fprintf(d.w, "import: %s: %d records (%.0f%%), %s, %d created, %d updated, %d unchanged, %d rejected%s\n",
		filepath.Base(p.File), p.Records, pct, d.rate(p), p.Created, p.Updated, p.Unchanged, p.Rejected, left)
}

func (d *progressDisplay) finish() {
	switch {
	case d.bar != nil:
		_ = d.bar.Finish()
	case d.lines && d.p.Records > 0:
		d.line(d.p)
	}
}
