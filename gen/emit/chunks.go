package emit

import (
	"bytes"
	"fmt"
	"go/parser"
	"go/token"
	"io"
	goruntime "runtime"
	"slices"
	"strconv"
	"sync"

	"github.com/dave/jennifer/jen"

	"github.com/reftask/reftask/gen/ir"
)

// typesPerChunk is how many named types (or options structs) one chunk
// holds: enough that a chunk's fixed costs (a jennifer File, a go/format
// call) stay small, few enough that the chunks balance across cores.
const typesPerChunk = 8

// A chunk is a run of top-level declarations, built into a jennifer File
// of its own and rendered (go/format included) independently of the
// others.
//
// Rendering the whole package as one File formats the whole source in one
// go/format pass on one core, after the whole syntax tree is built. Chunks
// are rendered while the next ones are still being built, on every core,
// and each tree is dropped as soon as it is rendered.
//
// The chunks concatenate to the same bytes as the whole File renders to:
//   - every chunk ends where the whole File has a blank line between two
//     top-level declarations (each emitter method ends its declarations
//     with Line), and gofmt formats top-level declarations separated by a
//     blank line independently of each other;
//   - the package clause and one import block come from a jennifer File
//     that registers exactly the packages the chunks used, and a package
//     gets the same name in every File (checked: when any chunk named a
//     package differently, File falls back to wholeFile).
type chunk struct {
	f *jen.File
	// body is the formatted declarations, without package clause and
	// imports; it ends with a newline unless empty.
	body []byte
	// imports maps each imported path to its name in the import spec
	// ("" when the spec has none).
	imports map[string]string
	err     error
	// panicked holds what a panic in the chunk's goroutine carried, to
	// panic again on the caller's goroutine.
	panicked any
}

func newChunk(pkg string) *chunk {
	f := jen.NewFile(pkg)
	f.ImportName(rt, "runtime")
	f.ImportName(kit, "kit")
	return &chunk{f: f}
}

// render formats the chunk's File and splits it into imports and body.
func (c *chunk) render() {
	defer func() {
		if r := recover(); r != nil {
			c.panicked = r
		}
	}()
	var buf bytes.Buffer
	err := c.f.Render(&buf)
	c.f = nil // the tree is no longer needed: let the collector have it
	if err != nil {
		c.err = fmt.Errorf("rendering Go: %w", err)
		return
	}
	src := buf.Bytes()
	imports, end, err := splitImports(src)
	if err != nil {
		c.err = fmt.Errorf("rendering Go: %w", err)
		return
	}
	c.imports = imports
	c.body = bytes.TrimLeft(src[end:], "\n")
}

// splitImports reads the import specs of a formatted file, and returns
// them with the offset where the declarations after them begin.
func splitImports(src []byte) (map[string]string, int, error) {
	fset := token.NewFileSet()
	af, err := parser.ParseFile(fset, "", src, parser.ImportsOnly)
	if err != nil {
		return nil, 0, err
	}
	end := af.Name.End()
	for _, d := range af.Decls { // ImportsOnly: the import declarations
		end = d.End()
	}
	imports := map[string]string{}
	for _, is := range af.Imports {
		path, err := strconv.Unquote(is.Path.Value)
		if err != nil {
			return nil, 0, err
		}
		name := ""
		if is.Name != nil {
			name = is.Name.Name
		}
		imports[path] = name
	}
	return imports, fset.Position(end).Offset, nil
}

// chunkedFile renders the package in chunks of at most perChunk named
// types or tasks; see chunk.
func chunkedFile(p *ir.Package, perChunk int) ([]byte, error) {
	workers := max(1, goruntime.GOMAXPROCS(0))
	work := make(chan *chunk, 2*workers)
	var renderers sync.WaitGroup
	for range workers {
		renderers.Go(func() {
			for c := range work {
				c.render()
			}
		})
	}
	// Two goroutines build the chunks, in the order wholeFile builds their
	// declarations: the types, options and validation programs on one, the client on the
	// other (the two share only what newPatternNames computed first).
	reads := cacheReads(p)
	patterns := newPatternNames(p)
	decls := &chunker{e: &emitter{pkg: p, reads: reads, patterns: patterns}, pkg: p.Name, perChunk: perChunk, work: work}
	client := &chunker{e: newClientEmitter(p, reads, patterns), pkg: p.Name, perChunk: perChunk, work: work}
	var builders sync.WaitGroup
	builders.Go(func() {
		client.build(func() {
			client.add(client.e.clientType)
			for _, t := range p.Tasks {
				client.add(func() { client.e.taskMethods(t) })
			}
			client.flush()
			client.add(client.e.execute)
			// The converters the client's code called, and the ones they call.
			for ts := client.e.convs.next(); len(ts) > 0; ts = client.e.convs.next() {
				for _, t := range ts {
					client.add(func() { client.e.converter(t) })
				}
			}
		})
	})
	decls.build(func() {
		decls.add(decls.e.versionCheck)
		for _, t := range p.Types {
			decls.add(func() { decls.e.namedType(t) })
		}
		for _, t := range p.Tasks {
			if t.OptionsName != "" {
				decls.add(func() { decls.e.options(t) })
			}
		}
		decls.flush()
		decls.add(decls.e.programs)
	})
	builders.Wait()
	close(work)
	renderers.Wait()
	chunks := append(decls.chunks, client.chunks...)
	for _, b := range []*chunker{decls, client} {
		if b.panicked != nil {
			panic(b.panicked)
		}
	}
	for _, c := range chunks {
		if c.panicked != nil {
			panic(c.panicked)
		}
		if c.err != nil {
			return nil, c.err
		}
	}
	return assemble(p, chunks)
}

// A chunker builds declarations into chunks, and sends each chunk to be
// rendered as soon as it is complete.
type chunker struct {
	e        *emitter
	pkg      string
	perChunk int
	work     chan<- *chunk
	// chunks are all the chunks built, in order.
	chunks []*chunk
	cur    *chunk
	n      int // units in cur
	// panicked holds what a panic while building carried.
	panicked any
}

// build runs f, sends the last chunk, and keeps a panic for the caller.
func (b *chunker) build(f func()) {
	defer func() {
		if r := recover(); r != nil {
			b.panicked = r
		}
	}()
	f()
	b.flush()
}

// add builds one unit (a named type, a task's methods, ...) into the
// current chunk, starting one if needed; every unit ends with a blank line.
func (b *chunker) add(unit func()) {
	if b.cur == nil {
		b.cur = newChunk(b.pkg)
		b.chunks = append(b.chunks, b.cur)
		b.e.f = b.cur.f
		b.n = 0
	}
	unit()
	b.n++
	if b.n >= b.perChunk {
		b.flush()
	}
}

// flush sends the current chunk to be rendered.
func (b *chunker) flush() {
	if b.cur != nil {
		b.work <- b.cur
		b.cur = nil
	}
}

// assemble writes the header, package clause and import block, then the
// chunks' declarations, one blank line apart.
func assemble(p *ir.Package, chunks []*chunk) ([]byte, error) {
	used := map[string]bool{}
	size := 0
	for _, c := range chunks {
		for path := range c.imports {
			used[path] = true
		}
		size += len(c.body) + 1
	}
	head := jen.NewFile(p.Name)
	head.HeaderComment(header)
	head.ImportName(rt, "runtime")
	head.ImportName(kit, "kit")
	for _, path := range slices.Sorted(mapKeys(used)) {
		// Rendering a reference registers the package with head, which
		// picks its name as it does for every File.
		if err := jen.Qual(path, "X").RenderWithFile(io.Discard, head); err != nil {
			return nil, fmt.Errorf("rendering Go: %w", err)
		}
	}
	var buf bytes.Buffer
	if err := head.Render(&buf); err != nil {
		return nil, fmt.Errorf("rendering Go: %w", err)
	}
	names, _, err := splitImports(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("rendering Go: %w", err)
	}
	for _, c := range chunks {
		for path, name := range c.imports {
			if names[path] != name {
				// Two packages competed for one name, and the chunks
				// settled it differently: only one File can settle it.
				return wholeFile(p)
			}
		}
	}
	out := make([]byte, 0, buf.Len()+size)
	out = append(out, buf.Bytes()...)
	for _, c := range chunks {
		if len(c.body) == 0 {
			continue
		}
		out = append(out, '\n')
		out = append(out, c.body...)
	}
	return out, nil
}
