//go:build !unix

package spool

import (
	"errors"
	"os"
)

// tryLock is not supported here: a Spool cannot tell its own file from a running process's.
func tryLock(*os.File) (bool, error) {
	return false, errors.ErrUnsupported
}
