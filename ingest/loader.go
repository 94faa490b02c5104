package ingest

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/sarhad/sarhad"
)

// loader turns records into batches and applies them. It keeps, for the whole import, the ids of
// the entities and relationships accepted so far (to resolve references and reject duplicate keys)
// and nothing else: records leave memory with their batch (unless Options.Atomic).
type loader struct {
	ctx context.Context
	st  sarhad.Store
	v   *sarhad.Viewer
	// secret derives the ids of keyed records (sarhad.KeyedID); see keyedID.
	secret []byte
	opts   Options
	rep    *Report
	now    time.Time
	batch  int
	files  []*fileState

	// seen maps the id of every entity accepted in this import to where it was read, and the ids of
	// entities found in the store to storePos; seenRels does the same for relationships.
	seen     map[string]pos
	seenRels map[string]pos
	// pseudonymous are the ids of the entities found in the store that the viewer reads under a
	// pseudonym (victims' records, whose source keys are withheld): an end named by key does not
	// find them, so that a row cannot confirm a victim's key.
	pseudonymous map[string]bool

	puts     []*record // entities waiting for the next batch, in input order
	rels     []*record // relationships waiting for the next batch
	deferred []*record // relationships with an end not seen yet: retried at the end

	inflight chan outcome // the batch being applied, if any

	progress Progress
	reported int          // records read at the last report made while reading (see reportEvery)
	doneSize int64        // bytes of the files already read
	reading  *countReader // the file being read
	current  *fileState   // the file being read
	fields   recordFields // field names of the format being read
}

type pos struct{ file, line int32 }

// storePos marks an entity found in the store rather than read from the import.
var storePos = pos{file: -1}

// fileState is one file of the import.
type fileState struct {
	index    int
	path     string
	name     string
	handling sarhad.Handling
	sourceID string
	// source is the file's Source entity until a record of the file is queued: a file whose every
	// record is rejected gets none.
	source *record
}

// recordFields are how a format names the fields the loader reports on.
type recordFields struct {
	key      string // the source key ("key", FtM "id")
	handling string // prefix of handling fields ("" in CSV columns, "handling." in JSON)
	attrs    string // prefix of entity attributes and relationship properties
}

// record is one entity or relationship read from a file.
type record struct {
	f    *fileState
	line int
	key  string
	// id is the record's id when the row gives one (an "id" column or field); chosenID is set when
	// it differs from the id its key derives, so that creating it is left to administrators.
	id       string
	chosenID bool
	// An entity: implicit ones (the Source of a file, FtM phones and addresses) are derived from
	// other records, so that repeating one is not an error.
	entity   sarhad.Entity
	implicit bool
	isSource bool
	// A relationship and its ends, resolved to ids when the batch is applied.
	rel            *sarhad.Relationship
	from, to       ref
	fromIDs, toIDs []string // the ids each end may have
	normalized     bool     // NormalizeRelationship has passed
	// The row's own handling fields, when it has any.
	patch  *handlingPatch
	fields recordFields
}

// sourceRef is where the record was read: the file's name and the line.
func (rec *record) sourceRef() string { return fmt.Sprintf("%s:%d", rec.f.name, rec.line) }

// ref names one end of a relationship: by id, or by key and the kinds it may be.
type ref struct {
	field string // reported when the end is not found
	id    string
	kinds []sarhad.EntityKind
	key   string
	org   string // originator of the end; the relationship's own when ""
}

// handlingPatch is the handling a row gives for itself; empty fields inherit the file's.
type handlingPatch struct {
	OriginatorOrg     string    `json:"originatorOrg"`
	OriginatorCountry string    `json:"originatorCountry"`
	TLP               string    `json:"tlp"`
	ReleasableTo      *[]string `json:"releasableTo"`
}

func (p *handlingPatch) empty() bool {
	return p == nil || p.OriginatorOrg == "" && p.OriginatorCountry == "" && p.TLP == "" && p.ReleasableTo == nil
}

func newLoader(ctx context.Context, st sarhad.Store, v *sarhad.Viewer, opts Options, rep *Report) (*loader, error) {
	if opts.BatchSize < 0 {
		return nil, sarhad.Invalid("batchSize", "must not be negative")
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	secret, err := st.IDSecret(ctx)
	if err != nil {
		return nil, err
	}
	return &loader{ctx: ctx, st: st, v: v, secret: secret, opts: opts, rep: rep, now: now().UTC(),
		batch: cmp.Or(opts.BatchSize, DefaultBatchSize), seen: map[string]pos{}, seenRels: map[string]pos{},
		pseudonymous: map[string]bool{}}, nil
}

// keyedID is the id of the record of kind k (a relationship when "") keyed by key in org.
func (l *loader) keyedID(k sarhad.EntityKind, org, key string) string {
	return sarhad.KeyedID(l.secret, k, org, key)
}

// countReader counts the bytes read through it, for progress.
type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// run reads every file, then applies what is left.
func (l *loader) run(files []input) error {
	for _, in := range files {
		if err := l.readFile(in); err != nil {
			return err
		}
	}
	return l.finish()
}

// readFile reads one file and feeds its records to the loader.
func (l *loader) readFile(in input) error {
	f, err := os.Open(in.path)
	if err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	defer f.Close()
	fs, err := l.openFile(in.path)
	if err != nil {
		return err
	}
	l.rep.Files++
	l.current, l.reading = fs, &countReader{r: f}
	l.progress.File = fs.path
	switch in.format {
	case FormatCSV:
		if in.rels {
			err = l.readRelationshipsCSV(l.reading)
		} else {
			err = l.readEntitiesCSV(l.reading, in.kind)
		}
	case FormatJSONL:
		err = l.readJSONL(l.reading)
	case FormatFtM:
		err = l.readFtM(l.reading)
	case FormatMatrix:
		err = l.readMatrix(l.reading)
	}
	if err != nil {
		return err
	}
	l.doneSize += l.reading.n
	l.reading = nil
	l.report()
	return nil
}

// openFile works out the handling of a file and makes its Source entity, which queueSource queues.
func (l *loader) openFile(path string) (*fileState, error) {
	h := l.opts.Handling
	h.ReleasableTo = slices.Clone(h.ReleasableTo)
	if fh, ok := l.opts.FileHandling[path]; ok {
		h.OriginatorOrg = cmp.Or(fh.OriginatorOrg, h.OriginatorOrg)
		h.OriginatorCountry = cmp.Or(fh.OriginatorCountry, h.OriginatorCountry)
		h.TLP = cmp.Or(fh.TLP, h.TLP)
		if fh.ReleasableTo != nil {
			h.ReleasableTo = slices.Clone(fh.ReleasableTo)
		}
	}
	if l.v.System && (h.OriginatorOrg == "" || h.OriginatorCountry == "") {
		return nil, sarhad.Invalid("handling.originatorOrg",
			"%s: the system viewer imports on behalf of an organisation: give the originator organisation and country", path)
	}
	h.OriginatorOrg = cmp.Or(h.OriginatorOrg, l.v.Org)
	h.OriginatorCountry = cmp.Or(h.OriginatorCountry, l.v.Country)
	h.TLP = cmp.Or(canonTLP(string(h.TLP)), sarhad.TLPAmber)
	if err := l.checkHandling(&h, "handling."); err != nil {
		return nil, fmt.Errorf("ingest: %s: %w", path, err)
	}
	name := filepath.Base(path)
	fs := &fileState{index: len(l.files), path: path, name: name, handling: h}
	l.files = append(l.files, fs)
	src := &sarhad.Source{Title: name, Category: sarhad.SourceImport, Originator: h.OriginatorOrg,
		Reliability: cmp.Or(l.opts.SourceReliability, sarhad.ReliabilityF),
		Credibility: cmp.Or(l.opts.SourceCredibility, sarhad.CredibilityCannotBeJudged)}
	key := "import:" + name
	fs.sourceID = l.keyedID(sarhad.KindSource, h.OriginatorOrg, key)
	fs.source = &record{f: fs, key: key, entity: src, implicit: true, isSource: true}
	return fs, nil
}

// queueSource queues the Source entity of f, unless it is queued already: before the first entity of
// f, or the first relationship of f ready to link.
func (l *loader) queueSource(f *fileState) {
	if src := f.source; src != nil {
		f.source = nil
		l.putEntity(src)
	}
}

// checkHandling is Service.checkHandling: a valid marking, and non-administrators originate
// records only for their own organisation and country.
func (l *loader) checkHandling(h *sarhad.Handling, prefix string) error {
	return sarhad.CheckHandling(l.v, h, prefix)
}

// canonTLP accepts the spellings of TLP 2.0 ("amber+strict") for the enum value (AMBER_STRICT).
func canonTLP(s string) sarhad.TLP {
	return sarhad.TLP(canonEnum(s))
}

// newRecord starts a record of the file being read.
func (l *loader) newRecord(line int) *record {
	return &record{f: l.current, line: line, fields: l.fields}
}

func (l *loader) reject(rec *record, field, reason string) {
	l.rep.Rejected = append(l.rep.Rejected, Rejection{File: rec.f.path, Line: rec.line, Field: field, Reason: reason})
}

// rejectErr rejects a record for a domain error, naming the field it names.
func (l *loader) rejectErr(rec *record, err error) {
	l.reject(rec, sarhad.ErrorField(err), sarhad.ErrorMessage(err))
}

// rejectLine rejects a line of the file being read that did not make a record.
func (l *loader) rejectLine(line int, field, reason string) {
	l.reject(&record{f: l.current, line: line}, field, reason)
}

// handling returns the handling of a record: its file's, with the row's own fields over it.
func (l *loader) handling(rec *record) (sarhad.Handling, bool) {
	if rec.patch.empty() {
		return rec.f.handling, true
	}
	h := rec.f.handling
	p := rec.patch
	h.OriginatorOrg = cmp.Or(p.OriginatorOrg, h.OriginatorOrg)
	h.OriginatorCountry = cmp.Or(p.OriginatorCountry, h.OriginatorCountry)
	h.TLP = cmp.Or(canonTLP(p.TLP), h.TLP)
	if p.ReleasableTo != nil {
		h.ReleasableTo = *p.ReleasableTo
	}
	h.ReleasableTo = slices.Clone(h.ReleasableTo)
	if err := l.checkHandling(&h, rec.fields.handling); err != nil {
		l.rejectErr(rec, err)
		return h, false
	}
	return h, true
}

// addEntity checks an entity, gives it its id and envelope, and queues it (putEntity), then writes
// a batch when one is full. It returns an error only when applying a full batch fails.
func (l *loader) addEntity(rec *record) error {
	l.putEntity(rec)
	return l.maybeFlush()
}

// putEntity checks an entity, gives it its id and envelope, and queues it, after the Source of its
// file when that is not queued yet; or rejects it.
func (l *loader) putEntity(rec *record) {
	e := rec.entity
	m := e.EntityMeta()
	m.Kind = sarhad.KindOf(e)
	if field, reason := checkEnums(e); field != "" {
		l.reject(rec, rec.fields.attrs+field, reason)
		return
	}
	if err := sarhad.Normalize(e, rec.fields.attrs); err != nil {
		l.rejectErr(rec, err)
		return
	}
	h, ok := l.handling(rec)
	if !ok {
		return
	}
	var id string
	switch {
	case len(rec.key) > 300:
		l.reject(rec, rec.fields.key, "is longer than 300 bytes")
		return
	case m.Kind == sarhad.KindCountry:
		if !l.v.HasRole(sarhad.RoleAdmin) {
			l.reject(rec, "", "only administrators maintain reference data")
			return
		}
		id = sarhad.CountryID(e.(*sarhad.Country).Alpha3)
		if rec.id != "" && rec.id != id {
			l.reject(rec, colID, fmt.Sprintf("must be %s, the id of %s", id, e.(*sarhad.Country).Alpha3))
			return
		}
	case rec.id != "":
		// An explicit id (an export's): honoured when it is an id of the record's kind.
		if k, err := sarhad.KindOfID(rec.id); err != nil || k != m.Kind {
			l.reject(rec, colID, fmt.Sprintf("%q is not the id of a %s", truncate(rec.id, 64), m.Kind.Label()))
			return
		}
		id = rec.id
		rec.chosenID = rec.key == "" || id != l.keyedID(m.Kind, h.OriginatorOrg, rec.key)
	case rec.key == "":
		l.reject(rec, rec.fields.key, "is required")
		return
	default:
		id = l.keyedID(m.Kind, h.OriginatorOrg, rec.key)
	}
	if p, dup := l.seen[id]; dup && p != storePos {
		if !rec.implicit {
			l.reject(rec, rec.fields.key, fmt.Sprintf("%q repeats the %s of %s", rec.key, m.Kind.Label(), l.where(p)))
		}
		return
	}
	m.ID, m.SourceKey, m.SourceRef, m.Handling = id, rec.key, rec.sourceRef(), h
	if !rec.isSource {
		m.SourceIDs = []string{rec.f.sourceID}
		l.queueSource(rec.f)
	}
	m.CreatedAt, m.CreatedBy, m.UpdatedAt, m.UpdatedBy = l.now, l.v.Subject, l.now, l.v.Subject
	l.seen[id] = pos{int32(rec.f.index), int32(rec.line)}
	l.puts = append(l.puts, rec)
}

// where names the position of an earlier record.
func (l *loader) where(p pos) string {
	if p.file >= 0 && int(p.file) < len(l.files) && l.files[p.file] != l.current {
		return fmt.Sprintf("%s line %d", l.files[p.file].path, p.line)
	}
	return fmt.Sprintf("line %d", p.line)
}

// reportEvery is how many records read between two progress reports, besides the report after
// each batch written: a batch of DefaultBatchSize takes a while to read and write.
const reportEvery = 1000

func (l *loader) maybeFlush() error {
	if l.rep.Read >= l.reported+reportEvery {
		l.reported = l.rep.Read
		l.report()
	}
	if !l.opts.Atomic && len(l.puts)+len(l.rels) >= l.batch {
		return l.flush(false)
	}
	return nil
}
