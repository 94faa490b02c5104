package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sarhad/sarhad"
	"github.com/sarhad/sarhad/auth"
	"github.com/sarhad/sarhad/seed/demo"
)

// demoSecretFile keeps demo mode's generated secret in the data directory, so that printed tokens
// stay valid across restarts of the same demo.
const demoSecretFile = "demo-jwt-secret"

// demoTokenTTL is how long printed demo tokens are valid.
const demoTokenTTL = 30 * 24 * time.Hour

// demoAccounts are the users demo mode prints tokens for.
func demoAccounts() []struct {
	label  string
	viewer *sarhad.Viewer
} {
	return []struct {
		label  string
		viewer *sarhad.Viewer
	}{
		{"admin", &sarhad.Viewer{Subject: "demo-admin", Name: "Demo administrator", Roles: []sarhad.Role{sarhad.RoleAdmin}, Country: "PAK", Org: demo.OrgFIALahore}},
		{"investigator (FIA AHTC Lahore, victim PII cleared)", &sarhad.Viewer{Subject: "demo-investigator", Name: "Demo investigator", Roles: []sarhad.Role{sarhad.RoleInvestigator}, Country: "PAK", Org: demo.OrgFIALahore, Clearances: []string{sarhad.ClearanceVictimPII}}},
		{"analyst (FIA AHTC Lahore)", &sarhad.Viewer{Subject: "demo-analyst", Name: "Demo analyst", Roles: []sarhad.Role{sarhad.RoleAnalyst}, Country: "PAK", Org: demo.OrgFIALahore}},
		{"liaison officer (Iran)", &sarhad.Viewer{Subject: "demo-liaison-iran", Name: "Demo liaison officer, Iran", Roles: []sarhad.Role{sarhad.RoleLiaisonOfficer}, Country: "IRN", Org: demo.OrgIranPolice}},
		{"liaison officer (Greece)", &sarhad.Viewer{Subject: "demo-liaison-greece", Name: "Demo liaison officer, Greece", Roles: []sarhad.Role{sarhad.RoleLiaisonOfficer}, Country: "GRC", Org: demo.OrgHellenicPolice}},
		{"auditor", &sarhad.Viewer{Subject: "demo-auditor", Name: "Demo auditor", Roles: []sarhad.Role{sarhad.RoleAuditor}, Country: "PAK", Org: "SARHAD"}},
	}
}

// startDemo prepares demo mode: a secret (generated once, kept in the data directory), the demo
// dataset when the store is empty, and a loud banner with a token for each role.
func startDemo(ctx context.Context, cfg *config, logger *slog.Logger, store sarhad.Store, stdout io.Writer) ([]byte, error) {
	logger.Warn("DEMO MODE: no SARHAD_JWT_SECRET configured; a generated secret signs demo tokens. " +
		"Do not use demo mode with real data.")
	secret, err := demoSecret(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	sys := sarhad.NewContext(ctx, sarhad.SystemViewer())
	page, err := store.ListEntities(sys, sarhad.ListQuery{Kind: sarhad.KindCountry, Page: sarhad.Page{First: 1}})
	if err != nil {
		return nil, err
	}
	if page.TotalCount == 0 {
		logger.Info("empty store: loading the synthetic demo dataset")
		res, err := demo.Load(ctx, store)
		if err != nil {
			return nil, fmt.Errorf("load demo data: %w", err)
		}
		logger.Info("demo dataset loaded", "created", res.Created)
	}
	var b strings.Builder
	fmt.Fprintln(&b, strings.Repeat("=", 78))
	fmt.Fprintln(&b, " SARHAD DEMO MODE: synthetic data, generated secret. Tokens (valid 30 days):")
	fmt.Fprintln(&b, strings.Repeat("=", 78))
	now := time.Now()
	for _, a := range demoAccounts() {
		tok, err := auth.Mint(secret, a.viewer, cfg.JWTIssuer, now, demoTokenTTL)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(&b, "\n%s:\n%s\n", a.label, tok)
	}
	fmt.Fprintln(&b, "\nIn GraphiQL, open Headers and paste {\"Authorization\": \"Bearer <token>\"}.")
	fmt.Fprintln(&b, strings.Repeat("=", 78))
	_, err = io.WriteString(stdout, b.String())
	return secret, err
}

// demoSecret reads the demo secret from the data directory, creating it on first use.
func demoSecret(dir string) ([]byte, error) {
	path := filepath.Join(dir, demoSecretFile)
	b, err := os.ReadFile(path)
	if err == nil && len(b) >= 64 {
		return b, nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil { // with Neo4j, nothing else creates it
		return nil, err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	secret := []byte(hex.EncodeToString(raw))
	if err := os.WriteFile(path, secret, 0o600); err != nil {
		return nil, fmt.Errorf("demo secret: %w", err)
	}
	return secret, nil
}
