package storetest

import (
	"bytes"
	"context"
	"sync"
	"testing"

	"github.com/sarhad/sarhad"
)

// testIDSecret: the secret of keyed ids (sarhad.KeyedID) is made by the first call and stays: 32
// bytes, the same for concurrent first calls, another in another store; and none in a store that
// already holds a keyed record, whose id was derived without one.
func testIDSecret(t *testing.T, h *harness) {
	ctx := asSystem(context.Background())
	s := h.store(t)
	secrets := make([][]byte, 8)
	var wg sync.WaitGroup
	for i := range secrets {
		wg.Go(func() {
			var err error
			if secrets[i], err = s.IDSecret(ctx); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if len(secrets[0]) != 32 {
		t.Fatalf("secret of %d bytes, want 32", len(secrets[0]))
	}
	for _, b := range secrets[1:] {
		if !bytes.Equal(b, secrets[0]) {
			t.Fatal("concurrent first calls got different secrets")
		}
	}
	if again, err := s.IDSecret(ctx); err != nil || !bytes.Equal(again, secrets[0]) {
		t.Errorf("a later call: %v; want the same secret", err)
	}
	if other, err := h.store(t).IDSecret(ctx); err != nil || bytes.Equal(other, secrets[0]) {
		t.Errorf("another store: %v; want another secret", err)
	}

	legacy := h.store(t)
	keyed := person("keyed before the secret", "Imran Baloch", fia(sarhad.TLPAmber))
	keyed.SourceKey = "P-1"
	mustApply(t, ctx, legacy, &sarhad.ChangeSet{Put: []sarhad.Entity{keyed}})
	if secret, err := legacy.IDSecret(ctx); err != nil || len(secret) != 0 {
		t.Errorf("a store holding a keyed record: %d bytes, %v; want none", len(secret), err)
	}
}
