package graph

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/sarhad/sarhad"
	"github.com/sarhad/sarhad/ingest"
)

// Bounds of one importRecords request; larger imports use the import command. A matrix of n
// labels gives up to n(n-1)/2 relationships, so its labels are bounded too: 300 give at most
// 44,850 (the CAVIAR network has 110).
const (
	maxImportFiles        = 20
	maxImportLines        = 5000
	maxImportMatrixLabels = 300
)

var importFileName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)

var importFormats = map[ImportFormat]ingest.Format{
	ImportFormatCSV: ingest.FormatCSV, ImportFormatJSONL: ingest.FormatJSONL, ImportFormatFtm: ingest.FormatFtM,
	ImportFormatMatrix: ingest.FormatMatrix,
}

// importRecords runs the importer over the files of a request, written to a private temporary
// directory so that the importer reads them as it reads files given to the import command.
func importRecords(ctx context.Context, svc *sarhad.Service, in ImportRecordsInput) (*ingest.Report, error) {
	v, err := sarhad.ViewerFrom(ctx)
	if err != nil {
		return nil, err
	}
	if !sarhad.CanWrite(v) {
		return nil, sarhad.Errorf(sarhad.EFORBIDDEN, "your role may not change the graph")
	}
	if len(in.Files) == 0 || len(in.Files) > maxImportFiles {
		return nil, sarhad.Invalid("input.files", "give 1 to %d files", maxImportFiles)
	}
	lines := 0
	seen := map[string]bool{}
	for _, f := range in.Files {
		if !importFileName.MatchString(f.Name) || seen[f.Name] {
			return nil, sarhad.Invalid("input.files.name", "%q is not a plain, distinct file name", f.Name)
		}
		seen[f.Name] = true
		if lines += strings.Count(f.Content, "\n") + 1; lines > maxImportLines+len(in.Files) {
			return nil, sarhad.Invalid("input.files", "at most %d lines in one request; use the import command for more", maxImportLines)
		}
	}
	dir, err := os.MkdirTemp("", "sarhad-import-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	paths := make([]string, len(in.Files))
	for i, f := range in.Files {
		paths[i] = filepath.Join(dir, f.Name)
		if err := os.WriteFile(paths[i], []byte(f.Content), 0o600); err != nil {
			return nil, err
		}
	}
	opts := ingest.Options{Format: importFormats[in.Format], Atomic: deref(in.Atomic),
		Matrix: ingest.MatrixOptions{MaxLabels: maxImportMatrixLabels}, VictimsWritten: svc.ProtectSameAs}
	if in.Handling != nil {
		opts.Handling = *in.Handling
	}
	// The importer names files by their paths; the client learns only the names it gave, never the
	// server's temporary directory.
	private := dir + string(filepath.Separator)
	rep, err := ingest.Run(ctx, svc.Store, paths, opts)
	var se *sarhad.Error
	if errors.As(err, &se) {
		return nil, &sarhad.Error{Code: se.Code, Message: strings.ReplaceAll(se.Message, private, ""), Field: se.Field}
	}
	if err != nil {
		return nil, err
	}
	for i := range rep.Rejected {
		rep.Rejected[i].File = filepath.Base(rep.Rejected[i].File)
		rep.Rejected[i].Reason = strings.ReplaceAll(rep.Rejected[i].Reason, private, "")
	}
	return rep, nil
}
