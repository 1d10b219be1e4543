package archtest

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
)

// Decls are the top-level declarations of a tree's non-test Go files (all
// build tags), each as "pkg/file.go" relative to the tree's root.
type Decls struct {
	Types map[string][]string // type name → where declared
	Funcs map[string][]string // function name (not methods) → where declared
	// GlobalState lists package-level variables that hold state a program
	// changes as it runs: a var with no initialiser (assigned later), one
	// of a sync or sync/atomic type, or one made with make(...). Tables
	// (literals, regexps, errors) and //go:embed files are not listed.
	GlobalState []string // "pkg/file.go: name"
}

// ScanDecls parses every non-test .go file below root (skipping testdata,
// vendor and dot or underscore directories) for its top-level declarations.
func ScanDecls(root string) (*Decls, error) {
	d := &Decls{Types: map[string][]string{}, Funcs: map[string][]string{}}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := e.Name()
		if e.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return fmt.Errorf("archtest: %s: %w", rel, err)
		}
		d.add(rel, f)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(d.GlobalState)
	return d, nil
}

func (d *Decls) add(rel string, f *ast.File) {
	for _, decl := range f.Decls {
		switch decl := decl.(type) {
		case *ast.FuncDecl:
			if decl.Recv == nil {
				d.Funcs[decl.Name.Name] = append(d.Funcs[decl.Name.Name], rel)
			}
		case *ast.GenDecl:
			for _, spec := range decl.Specs {
				switch spec := spec.(type) {
				case *ast.TypeSpec:
					d.Types[spec.Name.Name] = append(d.Types[spec.Name.Name], rel)
				case *ast.ValueSpec:
					if decl.Tok != token.VAR || embedded(decl, spec) {
						continue
					}
					for i, n := range spec.Names {
						if n.Name != "_" && holdsState(spec, i) {
							d.GlobalState = append(d.GlobalState, rel+": "+n.Name)
						}
					}
				}
			}
		}
	}
}

// holdsState reports whether the i-th variable of spec is state rather
// than a table: see Decls.GlobalState.
func holdsState(spec *ast.ValueSpec, i int) bool {
	if len(spec.Values) == 0 {
		return true
	}
	if spec.Type != nil && syncType(spec.Type) {
		return true
	}
	if i >= len(spec.Values) {
		return false // v1, v2 = f(): judged by f, which is not read here
	}
	switch v := spec.Values[i].(type) {
	case *ast.CallExpr:
		if id, ok := v.Fun.(*ast.Ident); ok && id.Name == "make" {
			return true
		}
	case *ast.CompositeLit:
		return v.Type != nil && syncType(v.Type)
	case *ast.UnaryExpr:
		if lit, ok := v.X.(*ast.CompositeLit); ok && v.Op == token.AND {
			return lit.Type != nil && syncType(lit.Type)
		}
	}
	return false
}

// syncType reports a sync.X or atomic.X type.
func syncType(e ast.Expr) bool {
	if sel, ok := e.(*ast.SelectorExpr); ok {
		if pkg, ok := sel.X.(*ast.Ident); ok {
			return pkg.Name == "sync" || pkg.Name == "atomic"
		}
	}
	return false
}

// embedded reports a //go:embed variable (filled by the compiler).
func embedded(decl *ast.GenDecl, spec *ast.ValueSpec) bool {
	for _, doc := range []*ast.CommentGroup{decl.Doc, spec.Doc} {
		if doc == nil {
			continue
		}
		for _, c := range doc.List {
			if strings.HasPrefix(c.Text, "//go:embed") {
				return true
			}
		}
	}
	return false
}
