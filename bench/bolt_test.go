package bench_test

import (
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/sarhad/sarhad/bench"
)

// Bolt message signatures of the test stream.
const (
	hello  = 0x01
	logon  = 0x6A
	begin  = 0x11
	run    = 0x10
	pull   = 0x3F
	commit = 0x12
)

// message encodes a Bolt message with signature sig and a payload of n bytes, split into chunks
// of at most chunk bytes.
func message(sig byte, n, chunk int) []byte {
	body := append([]byte{0xB1, sig}, bytes.Repeat([]byte{0xC0}, n)...)
	var out []byte
	for len(body) > 0 {
		k := min(chunk, len(body))
		out = binary.BigEndian.AppendUint16(out, uint16(k))
		out = append(out, body[:k]...)
		body = body[k:]
	}
	return append(out, 0, 0)
}

var success = message(0x70, 1, 100) // SUCCESS {}

// fakeNeo4j accepts one connection, negotiates (manifest-style when manifest is set) and answers
// every complete message with SUCCESS.
func fakeNeo4j(t *testing.T, manifest bool) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		hs := make([]byte, 20)
		if _, err := io.ReadFull(c, hs); err != nil {
			return
		}
		if manifest {
			// 0x000001FF, one offered version (5.8 back to 5.0), capabilities 0: in pieces, as a
			// server may send them, which the proxy must pass on whole.
			offer := []byte{0, 0, 1, 0xFF, 1, 0, 8, 8, 5, 0}
			for _, piece := range [][]byte{offer[:4], offer[4:5], offer[5:9], offer[9:]} {
				c.Write(piece)
				time.Sleep(5 * time.Millisecond)
			}
			if _, err := io.ReadFull(c, make([]byte, 5)); err != nil {
				return
			}
		} else {
			c.Write([]byte{0, 0, 8, 5})
		}
		for {
			// Read one message: chunks until a zero-size one; NOOPs (a zero chunk alone) are skipped.
			size := 0
			for {
				var h [2]byte
				if _, err := io.ReadFull(c, h[:]); err != nil {
					return
				}
				n := int(binary.BigEndian.Uint16(h[:]))
				if n == 0 {
					break
				}
				if _, err := io.ReadFull(c, make([]byte, n)); err != nil {
					return
				}
				size += n
			}
			if size > 0 {
				c.Write(success)
			}
		}
	}()
	return ln.Addr().String()
}

func TestBoltProxyCountsMessagesAndRoundTrips(t *testing.T) {
	for _, manifest := range []bool{false, true} {
		name := "legacy handshake"
		if manifest {
			name = "manifest handshake"
		}
		t.Run(name, func(t *testing.T) {
			proxy, err := bench.NewBoltProxy(fakeNeo4j(t, manifest))
			if err != nil {
				t.Fatal(err)
			}
			defer proxy.Close()
			c, err := net.Dial("tcp", strings.TrimPrefix(proxy.URI(), "bolt://"))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.Write(append([]byte{0x60, 0x60, 0xB0, 0x17}, make([]byte, 16)...))
			if manifest {
				// neo4j-driver for JavaScript parses the server's choice and offer from one read.
				offer := make([]byte, 64)
				n, err := c.Read(offer)
				if err != nil {
					t.Fatal(err)
				}
				if n != 10 {
					t.Fatalf("the manifest offer came in pieces: first read %d bytes of 10", n)
				}
				c.Write([]byte{0, 0, 8, 5, 0})
			} else if _, err := io.ReadFull(c, make([]byte, 4)); err != nil {
				t.Fatal(err)
			}

			// Each flush is written at once (as drivers do) and waits for one answer per message.
			flush := func(parts ...[]byte) {
				t.Helper()
				for _, p := range parts {
					if _, err := c.Write(p); err != nil {
						t.Fatal(err)
					}
				}
			}
			answers := func(n int) {
				t.Helper()
				if _, err := io.ReadFull(c, make([]byte, n*len(success))); err != nil {
					t.Fatal(err)
				}
			}
			flush(message(hello, 40, 100))
			answers(1)
			flush(message(logon, 10, 100))
			answers(1)
			// BEGIN, RUN (in chunks of 7 bytes) and PULL pipelined in one flush, with a NOOP first.
			flush(bytes.Join([][]byte{{0, 0}, message(begin, 3, 100), message(run, 50, 7), message(pull, 2, 100)}, nil))
			answers(3)
			// A large RUN written in two parts: still one round trip.
			big := message(run, 150000, 65535)
			flush(big[:70000], append(big[70000:], message(pull, 2, 100)...))
			answers(2)
			flush(message(commit, 0, 100))
			answers(1)

			want := bench.BoltCounts{Connections: 1, Messages: 8, Runs: 2, Transactions: 1, Commits: 1, RoundTrips: 5}
			if got := proxy.Counts(); got != want {
				t.Errorf("counts %+v, want %+v", got, want)
			}
		})
	}
}

func TestBoltCountsSub(t *testing.T) {
	a := bench.BoltCounts{Connections: 3, Messages: 10, Runs: 4, Transactions: 2, Commits: 2, RoundTrips: 6}
	b := bench.BoltCounts{Connections: 1, Messages: 4, Runs: 1, Transactions: 1, Commits: 0, RoundTrips: 2}
	want := bench.BoltCounts{Connections: 2, Messages: 6, Runs: 3, Transactions: 1, Commits: 2, RoundTrips: 4}
	if got := a.Sub(b); got != want {
		t.Errorf("%+v - %+v = %+v, want %+v", a, b, got, want)
	}
}
