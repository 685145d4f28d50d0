package catalog

import (
	"fmt"
	"regexp"
	"strings"
	"sync"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/types"
)

// Conditions are CEL expressions over the answers: each situation id is a
// string variable holding the id of the chosen answer ("" when unanswered),
// e.g. `agent == "yes" && kind in ["llc", "branch"]`. CEL is typed, has no
// side effects and bounded cost, so an admin-written condition can neither
// loop nor reach the system; it is compiled and type-checked when the item is
// saved, and compared string literals must be answer ids of that question.

var identRe = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// celReserved are words CEL reserves; a situation id may not be one.
var celReserved = map[string]bool{
	"true": true, "false": true, "null": true, "in": true, "as": true, "break": true, "const": true,
	"continue": true, "else": true, "for": true, "function": true, "if": true, "import": true,
	"let": true, "loop": true, "package": true, "namespace": true, "return": true, "var": true, "void": true, "while": true,
}

// maxConditionLen bounds the text of one condition.
const maxConditionLen = 1000

// ConditionError is a rejected condition with its 1-based position.
type ConditionError struct {
	Line, Column int
	Message      string
}

func (e ConditionError) Error() string {
	return fmt.Sprintf("第 %d 行第 %d 列：%s", e.Line, e.Column, e.Message)
}

// conditionEnv declares one string variable per situation.
type conditionEnv struct {
	env     *cel.Env
	answers map[string]map[string]bool // situation id → answer ids
	// progs holds the programs of a cached (published, immutable) guide's
	// conditions by their text; nil compiles every time. Compiling was
	// ≈ 4 % of the CPU of an online submission.
	progs *sync.Map
}

func newConditionEnv(situations []Situation) (*conditionEnv, error) {
	ce := &conditionEnv{answers: map[string]map[string]bool{}}
	opts := []cel.EnvOption{cel.ParserExpressionSizeLimit(maxConditionLen), cel.ParserRecursionLimit(50)}
	for _, s := range situations {
		if !identRe.MatchString(s.ID) || celReserved[s.ID] || ce.answers[s.ID] != nil {
			continue // reported by validation; the env just leaves it out
		}
		ce.answers[s.ID] = map[string]bool{}
		for _, a := range s.Answers {
			ce.answers[s.ID][a.ID] = true
		}
		opts = append(opts, cel.Variable(s.ID, cel.StringType))
	}
	env, err := cel.NewEnv(opts...)
	if err != nil {
		return nil, fmt.Errorf("condition env: %w", err)
	}
	ce.env = env
	return ce, nil
}

// prepareConditions makes the checklists of a published version, which never
// changes, compile each of its conditions once (Service.Guide's cache).
func prepareConditions(it *Item) {
	if ce, err := newConditionEnv(it.Situations); err == nil {
		ce.progs = &sync.Map{}
		it.conds = ce
	}
}

// compile parses and type-checks expr: it must be a bool and compare
// situations only with their own answer ids.
func (ce *conditionEnv) compile(expr string) (*cel.Ast, error) {
	if strings.TrimSpace(expr) == "" {
		return nil, ConditionError{1, 1, "条件表达式不能为空"}
	}
	if len(expr) > maxConditionLen {
		return nil, ConditionError{1, 1, fmt.Sprintf("条件表达式过长（最多 %d 个字符）", maxConditionLen)}
	}
	checked, iss := ce.env.Compile(expr)
	if iss != nil && iss.Err() != nil {
		e := iss.Errors()[0]
		// Errors without a source position (e.g. empty text) point at 1:1.
		return nil, ConditionError{Line: max(e.Location.Line(), 1), Column: max(e.Location.Column()+1, 1), Message: translateCEL(e.Message)}
	}
	if !checked.OutputType().IsExactType(types.BoolType) {
		return nil, ConditionError{1, 1, "条件表达式的结果必须是真/假（bool），当前为 " + checked.OutputType().String()}
	}
	if err := ce.checkLiterals(checked); err != nil {
		return nil, err
	}
	return checked, nil
}

// checkLiterals rejects `x == "typo"` where "typo" is not an answer of x:
// such a condition type-checks but can never be true.
func (ce *conditionEnv) checkLiterals(a *cel.Ast) error {
	native := a.NativeRep()
	info := native.SourceInfo()
	var walk func(e ast.Expr) error
	bad := func(id int64, sit, lit string) error {
		loc := info.GetStartLocation(id)
		return ConditionError{Line: max(loc.Line(), 1), Column: loc.Column() + 1,
			Message: fmt.Sprintf("情形 %s 没有答案 %q", sit, lit)}
	}
	check := func(ident ast.Expr, lit ast.Expr) error {
		if ident.Kind() != ast.IdentKind || lit.Kind() != ast.LiteralKind {
			return nil
		}
		s, ok := lit.AsLiteral().(types.String)
		if !ok {
			return nil
		}
		if answers := ce.answers[ident.AsIdent()]; answers != nil && string(s) != "" && !answers[string(s)] {
			return bad(lit.ID(), ident.AsIdent(), string(s))
		}
		return nil
	}
	walk = func(e ast.Expr) error {
		if e.Kind() != ast.CallKind {
			return nil
		}
		call := e.AsCall()
		args := call.Args()
		switch fn := call.FunctionName(); {
		case (fn == "_==_" || fn == "_!=_") && len(args) == 2:
			if err := check(args[0], args[1]); err != nil {
				return err
			}
			if err := check(args[1], args[0]); err != nil {
				return err
			}
		case fn == "@in" && len(args) == 2 && args[1].Kind() == ast.ListKind:
			for _, el := range args[1].AsList().Elements() {
				if err := check(args[0], el); err != nil {
					return err
				}
			}
		}
		for _, arg := range args {
			if err := walk(arg); err != nil {
				return err
			}
		}
		return nil
	}
	return walk(native.Expr())
}

// run evaluates a condition's program over the answers.
func (ce *conditionEnv) run(prg cel.Program, answers map[string]string) (bool, error) {
	vars := make(map[string]any, len(ce.answers))
	for id := range ce.answers {
		vars[id] = answers[id]
	}
	out, _, err := prg.Eval(vars)
	if err != nil {
		return false, fmt.Errorf("evaluate condition: %w", err)
	}
	b, ok := out.Value().(bool)
	return ok && b, nil
}

// ValidateCondition compiles expr against situations; it is what the item
// editor calls for inline validation.
func ValidateCondition(situations []Situation, expr string) error {
	ce, err := newConditionEnv(situations)
	if err != nil {
		return err
	}
	_, err = ce.compile(expr)
	return err
}

// translateCEL turns the common CEL messages into Chinese, keeping the
// original for anything else.
func translateCEL(msg string) string {
	switch {
	case strings.HasPrefix(msg, "undeclared reference to '"):
		name := strings.TrimPrefix(msg, "undeclared reference to '")
		name, _, _ = strings.Cut(name, "'")
		return "未定义的情形或函数 " + name
	case strings.HasPrefix(msg, "Syntax error:"):
		return "语法错误：" + strings.TrimSpace(strings.TrimPrefix(msg, "Syntax error:"))
	case strings.HasPrefix(msg, "found no matching overload for"):
		return "类型不匹配：" + msg
	}
	return msg
}
