// Package ingest loads records from files into a sarhad.Store, idempotently.
//
// Four formats are read (README.md documents every column and field): CSV, one file per entity
// kind plus relationships files; JSON Lines, one entity or relationship per line; FollowTheMoney
// entities (OCCRP Aleph, OpenSanctions), one per line; and square adjacency matrices of network
// datasets. Every record is keyed by its key in the source system, and its id is derived from the
// key and the originating organisation exactly as sarhad.Service.Create derives it from a
// SourceKey, so importing a file twice changes nothing and a record imported and one created over
// GraphQL with the same key are the same node.
//
// Records go through the domain's checks (sarhad.Normalize, NormalizeRelationship,
// NormalizeHandling, the enum values of the GraphQL schema, the originator rule of
// Service.Create) and are written with Store.Apply in batches: each batch is atomic, so a killed
// import leaves no half-written record and running it again finishes the job.
package ingest

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/sarhad/sarhad"
)

// Format is a file format.
type Format string

// Formats. FormatAuto picks one per file: .jsonl/.ndjson/.json files are FollowTheMoney when their
// first object has a "schema", JSON Lines otherwise; .csv files are adjacency matrices when the
// first header cell is empty, entity or relationships CSV otherwise.
const (
	FormatAuto   Format = ""
	FormatCSV    Format = "csv"
	FormatJSONL  Format = "jsonl"
	FormatFtM    Format = "ftm"
	FormatMatrix Format = "matrix"
)

// DefaultBatchSize is how many records one Store.Apply writes when Options.BatchSize is 0. A
// larger transaction writes an index page that several of its records touch once, where smaller
// ones write it again for each: BenchmarkImportSQLite went from 16,000–17,000 relationships per
// second with 2,000 to 19,000–22,000 with 10,000, and a batch of that size is a small transaction
// for Neo4j too.
const DefaultBatchSize = 10_000

// Options control an import.
type Options struct {
	// Format of every file; FormatAuto detects it per file.
	Format Format
	// Handling of the imported records and of the Source entity of each file. Empty fields take
	// the defaults of sarhad.Service.Create: the viewer's organisation and country as originator,
	// TLP AMBER, released to no one. A system viewer has no organisation: give OriginatorOrg and
	// OriginatorCountry. Non-administrators may only import as their own organisation.
	Handling sarhad.Handling
	// FileHandling overrides Handling for single files, keyed by the path as given to Run; its
	// non-empty fields (and a non-nil ReleasableTo) win. Rows may override both (README.md).
	FileHandling map[string]sarhad.Handling
	// Atomic imports all or nothing: when any record is rejected nothing is written, and the
	// records are applied in one change set (one transaction), so the import is held in memory.
	Atomic bool
	// BatchSize is the number of records per Store.Apply (DefaultBatchSize when 0).
	BatchSize int
	// VictimsWritten, when set, is called after every batch written with the ids of the persons it
	// wrote as victims' records (those unchanged included), before the next batch is written; an
	// error stops the import. The server passes sarhad.Service.ProtectSameAs, which records as
	// victims the records SAME_AS ties to them: the same person under a name that, beside the
	// victim's pseudonym, would tell who the victim is.
	VictimsWritten func(ctx context.Context, ids []string) error
	// Progress, when set, is called after every batch and at the end of every file.
	Progress func(Progress)
	// Matrix configures adjacency-matrix files.
	Matrix MatrixOptions
	// SourceReliability and SourceCredibility grade the Source entity of each file (default F6:
	// cannot be judged).
	SourceReliability sarhad.Reliability
	SourceCredibility sarhad.Credibility
	// Now is the clock that stamps created and updated times (time.Now when nil).
	Now func() time.Time
}

// MatrixOptions configure the import of a square adjacency matrix.
type MatrixOptions struct {
	// NamePrefix precedes each label in the name of its person ("Participant " when empty).
	NamePrefix string
	// KeyPrefix precedes each label in the source key of its person (the file name without
	// extension and a colon when empty, for example "caviar:1").
	KeyPrefix string
	// MaxLabels, when above 0, refuses a matrix of more labels (n labels give up to n(n-1)/2
	// relationships): importRecords bounds the work one request may ask for.
	MaxLabels int
}

// Progress is a snapshot of a running import, for a progress bar.
type Progress struct {
	// File is the file being read.
	File string
	// Records is the number of input records read so far, in every file.
	Records int
	// Bytes is how much of the input has been read; TotalBytes is the size of every file (the total
	// number of records is not known before reading them, the size is).
	Bytes, TotalBytes int64
	// Created, Updated, Unchanged and Rejected count the records written so far.
	Created, Updated, Unchanged, Rejected int
}

// Report says what an import did.
type Report struct {
	// Files is the number of files read.
	Files int
	// Read is the number of input records: data rows of a CSV file, lines of a JSON Lines or
	// FollowTheMoney file, rows of a matrix.
	Read int
	// Created, Updated and Unchanged count the entities and relationships written, as Store.Apply
	// reported them; the Source entity of each file that imported a record is counted too.
	Created, Updated, Unchanged int
	// Skipped counts FollowTheMoney entities of schemas that are not imported.
	Skipped int
	// Rejected lists the records that were not imported and why, in input order.
	Rejected []Rejection
}

// Rejection is one record that was not imported.
type Rejection struct {
	File string
	// Line is the line of the record in the file (1 is the first line).
	Line int
	// Field is the column, JSON field or attribute at fault ("" when the whole record is).
	Field  string
	Reason string
}

func (r Rejection) String() string {
	if r.Field == "" {
		return fmt.Sprintf("%s:%d: %s", r.File, r.Line, r.Reason)
	}
	return fmt.Sprintf("%s:%d: %s: %s", r.File, r.Line, r.Field, r.Reason)
}

// Run imports files into st as the viewer carried by ctx (sarhad.NewContext), and returns what it
// did. Entity files are read in the order given, relationships CSV files after every other file.
//
// A record that fails a check is rejected (listed in the report) and the others are imported,
// unless opts.Atomic. Run returns an error, with the report so far, when a file cannot be read,
// the options are invalid (BAD_USER_INPUT), the viewer may not write (UNAUTHENTICATED,
// FORBIDDEN), or the store fails; batches applied before the failure stay written.
func Run(ctx context.Context, st sarhad.Store, files []string, opts Options) (*Report, error) {
	rep := &Report{}
	v, err := sarhad.ViewerFrom(ctx)
	if err != nil {
		return rep, err
	}
	if !sarhad.CanWrite(v) {
		return rep, sarhad.Errorf(sarhad.EFORBIDDEN, "your role may not change the graph")
	}
	l, err := newLoader(ctx, st, v, opts, rep)
	if err != nil {
		return rep, err
	}
	ordered, err := orderFiles(files, opts.Format)
	if err != nil {
		return rep, err
	}
	for _, in := range ordered {
		if st, err := os.Stat(in.path); err == nil {
			l.progress.TotalBytes += st.Size()
		}
	}
	err = l.run(ordered)
	// Never return while a batch is being written.
	if werr := l.wait(); err == nil {
		err = werr
	}
	return rep, err
}
