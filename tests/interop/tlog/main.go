// tests/interop/tlog/main.go: checks vouch's transparency log output with Go's
// golang.org/x/mod/sumdb/tlog and sumdb/note (an implementation vouch did not write).
//
// Built offline in GOPATH mode against Debian's golang-golang-x-mod-dev, see
// tests/e2e/test_tlog_interop.sh. Commands (exit 0 = verified, 1 = rejected, 2 = usage):
//
//	tiles DIR VKEY               open DIR/checkpoint with VKEY; read the C2SP tiles through
//	                             tlog.TileHashReader (which authenticates every tile against
//	                             the checkpoint's root); recompute the tree hash; check every
//	                             entry bundle against the level-0 hashes
//	prove DIR VKEY INDEX         print Go's inclusion proof for INDEX at the checkpoint size,
//	                             as vouch's JSON, computed from the tiles
//	consistency DIR VKEY OLD     print Go's consistency proof OLD -> checkpoint size
//	verify-incl VKEY CP PROOF ENTRYHEX   tlog.CheckRecord on vouch's inclusion proof
//	verify-cons VKEY CP1 CP2 PROOF       tlog.CheckTree on vouch's consistency proof
package main

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

func die(code int, f string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "gotlog: "+f+"\n", a...)
	os.Exit(code)
}

// openCheckpoint verifies a checkpoint note and returns its size and root.
func openCheckpoint(vkey string, msg []byte) (int64, tlog.Hash) {
	v, err := note.NewVerifier(strings.TrimSpace(vkey))
	if err != nil {
		die(2, "verifier: %v", err)
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		die(1, "checkpoint: %v", err)
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 4 || lines[0] != v.Name() {
		die(1, "checkpoint: bad body")
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		die(1, "checkpoint size: %v", err)
	}
	raw, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(raw) != 32 {
		die(1, "checkpoint root")
	}
	var h tlog.Hash
	copy(h[:], raw)
	return size, h
}

// c2spTiles reads C2SP tlog-tiles (height 8, no height in the path) from a directory.
type c2spTiles struct{ dir string }

func (r c2spTiles) Height() int { return 8 }

func (r c2spTiles) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		// Go's path is tile/8/L/N[.p/W]; C2SP drops the height
		p := strings.Replace(t.Path(), "tile/8/", "tile/", 1)
		data, err := os.ReadFile(filepath.Join(r.dir, p))
		if err != nil {
			return nil, err
		}
		out[i] = data
	}
	return out, nil
}

func (r c2spTiles) SaveTiles(tiles []tlog.Tile, data [][]byte) {}

func readFile(p string) []byte {
	b, err := os.ReadFile(p)
	if err != nil {
		die(2, "%v", err)
	}
	return b
}

type proofJSON struct {
	Index    *int64   `json:"index,omitempty"`
	TreeSize *int64   `json:"tree_size,omitempty"`
	OldSize  *int64   `json:"old_size,omitempty"`
	NewSize  *int64   `json:"new_size,omitempty"`
	Hashes   []string `json:"hashes"`
}

func hashes(list []string) []tlog.Hash {
	out := make([]tlog.Hash, len(list))
	for i, s := range list {
		raw, err := base64.StdEncoding.DecodeString(s)
		if err != nil || len(raw) != 32 {
			die(1, "proof hash %d", i)
		}
		copy(out[i][:], raw)
	}
	return out
}

func b64(hs []tlog.Hash) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = base64.StdEncoding.EncodeToString(h[:])
	}
	return out
}

func main() {
	if len(os.Args) < 2 {
		die(2, "usage: see the source")
	}
	a := os.Args[2:]
	switch os.Args[1] {
	case "tiles", "prove", "consistency":
		if len(a) < 2 {
			die(2, "usage")
		}
		size, root := openCheckpoint(string(readFile(a[1])), readFile(filepath.Join(a[0], "checkpoint")))
		tree := tlog.Tree{N: size, Hash: root}
		hr := tlog.TileHashReader(tree, c2spTiles{a[0]})
		switch os.Args[1] {
		case "tiles":
			th, err := tlog.TreeHash(size, hr)
			if err != nil || th != root {
				die(1, "tree hash from tiles: %v", err)
			}
			// entry bundles: each entry's record hash is the stored level-0 hash
			for start := int64(0); start < size; start += 256 {
				w := size - start
				if w > 256 {
					w = 256
				}
				t := tlog.Tile{H: 8, L: -1, N: start / 256, W: int(w)}
				p := strings.Replace(t.Path(), "tile/8/data/", "tile/entries/", 1)
				data := readFile(filepath.Join(a[0], p))
				idx := make([]int64, 0, w)
				for i := int64(0); i < w; i++ {
					idx = append(idx, tlog.StoredHashIndex(0, start+i))
				}
				want, err := hr.ReadHashes(idx)
				if err != nil {
					die(1, "read hashes: %v", err)
				}
				for i := int64(0); i < w; i++ {
					if len(data) < 2 {
						die(1, "entry bundle %s truncated", p)
					}
					n := int(data[0])<<8 | int(data[1])
					if len(data) < 2+n {
						die(1, "entry bundle %s truncated", p)
					}
					if tlog.RecordHash(data[2:2+n]) != want[i] {
						die(1, "entry %d does not match its leaf hash", start+i)
					}
					data = data[2+n:]
				}
				if len(data) != 0 {
					die(1, "entry bundle %s has trailing bytes", p)
				}
			}
			fmt.Printf("ok: %d entries, tree hash %s\n", size, base64.StdEncoding.EncodeToString(root[:]))
		case "prove":
			i, _ := strconv.ParseInt(a[2], 10, 64)
			p, err := tlog.ProveRecord(size, i, hr)
			if err != nil {
				die(1, "prove: %v", err)
			}
			out, _ := json.Marshal(proofJSON{Index: &i, TreeSize: &size, Hashes: b64(p)})
			fmt.Println(string(out))
		case "consistency":
			o, _ := strconv.ParseInt(a[2], 10, 64)
			p, err := tlog.ProveTree(size, o, hr)
			if err != nil {
				die(1, "prove tree: %v", err)
			}
			out, _ := json.Marshal(proofJSON{OldSize: &o, NewSize: &size, Hashes: b64(p)})
			fmt.Println(string(out))
		}
	case "verify-incl":
		if len(a) != 4 {
			die(2, "usage")
		}
		size, root := openCheckpoint(string(readFile(a[0])), readFile(a[1]))
		var pj proofJSON
		if err := json.Unmarshal(readFile(a[2]), &pj); err != nil || pj.Index == nil || pj.TreeSize == nil {
			die(1, "proof json")
		}
		if *pj.TreeSize != size {
			die(1, "proof for another size")
		}
		entry, err := hex.DecodeString(a[3])
		if err != nil {
			die(2, "entry hex")
		}
		if err := tlog.CheckRecord(hashes(pj.Hashes), size, root, *pj.Index, tlog.RecordHash(entry)); err != nil {
			die(1, "CheckRecord: %v", err)
		}
		fmt.Println("ok")
	case "verify-cons":
		if len(a) != 4 {
			die(2, "usage")
		}
		s1, r1 := openCheckpoint(string(readFile(a[0])), readFile(a[1]))
		s2, r2 := openCheckpoint(string(readFile(a[0])), readFile(a[2]))
		var pj proofJSON
		if err := json.Unmarshal(readFile(a[3]), &pj); err != nil || pj.OldSize == nil || pj.NewSize == nil {
			die(1, "proof json")
		}
		if *pj.OldSize != s1 || *pj.NewSize != s2 {
			die(1, "proof for other sizes")
		}
		if err := tlog.CheckTree(hashes(pj.Hashes), s2, r2, s1, r1); err != nil {
			die(1, "CheckTree: %v", err)
		}
		fmt.Println("ok")
	default:
		die(2, "%v", errors.New("unknown command"))
	}
}
