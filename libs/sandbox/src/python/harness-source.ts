/**
 * The Python side of the runner, installed once per interpreter before its memory is saved.
 * It compiles the program and the tests separately (so the program cannot swallow the tests
 * with an unclosed string), runs each test in a fresh `__main__` namespace, and answers with
 * JSON. It imports everything it needs before arming an audit hook (PEP 578; hooks cannot be
 * removed) that refuses what a graded program must not do: reach the JavaScript bridge
 * (`js`, `pyodide_js`, `pyodide`, `_pyodide*`), ctypes, processes, sockets, frames and gc
 * walks into the harness, swapping a function's `__code__`, writing files outside /tmp.
 * Nothing here is trusted for the verdict of stdio/call tests: the host compares outputs and
 * values it alone knows.
 */
/** pytest is not in the interpreter's standard library: the few names test files use, built fresh for every test. */
const PYTEST_SHIM = String.raw`
import math, functools

class _Raises:
    def __init__(self, exc, match=None):
        self.exc, self.match, self.value = exc, match, None
    def __enter__(self):
        return self
    def __exit__(self, t, v, tb):
        if t is None:
            raise AssertionError(f'DID NOT RAISE {self.exc}')
        if not issubclass(t, self.exc):
            return False
        if self.match is not None:
            import re
            if not re.search(self.match, str(v)):
                raise AssertionError(f'pattern {self.match!r} not found in {str(v)!r}')
        self.value = v
        return True

def raises(exc, *args, match=None, **kw):
    if args:
        with _Raises(exc, match):
            args[0](*args[1:], **kw)
        return None
    return _Raises(exc, match)

class approx:
    def __init__(self, expected, rel=1e-6, abs=1e-12):
        self.expected, self.rel, self.abs = expected, rel, abs
    def _eq(self, a, b):
        if isinstance(b, (list, tuple)):
            return isinstance(a, (list, tuple)) and len(a) == len(b) and all(self._eq(x, y) for x, y in zip(a, b))
        return math.isclose(a, b, rel_tol=self.rel, abs_tol=self.abs)
    def __eq__(self, other):
        return self._eq(other, self.expected)
    def __repr__(self):
        return f'approx({self.expected!r})'

def parametrize(names, values, **kw):
    names = [n.strip() for n in names.split(',')] if isinstance(names, str) else list(names)
    def deco(fn):
        @functools.wraps(fn)
        def run(*a, **k):
            if a or k:
                return fn(*a, **k)
            for v in values:
                v = v if len(names) > 1 else (v,)
                fn(**dict(zip(names, v)))
        return run
    return deco

class _Mark:
    parametrize = staticmethod(parametrize)
    def __getattr__(self, name):
        def mark(*a, **k):
            if len(a) == 1 and callable(a[0]) and not k:
                return a[0]
            return lambda fn: fn
        return mark

def fixture(*a, **k):
    if len(a) == 1 and callable(a[0]):
        return a[0]
    return lambda fn: fn

mark = _Mark()

def fail(msg=''):
    raise AssertionError(msg)
`;

export const HARNESS_SOURCE = String.raw`
def _grpo_make():
    import sys, io, json, builtins, traceback, linecache, types, os, posix, math, re, collections, ast
    import itertools, functools, heapq, bisect, string, random, decimal, fractions, statistics
    import typing, dataclasses, copy, operator, array, enum, abc, unittest, time, datetime
    b = builtins
    _exec, _compile, _eval, _isinstance, _str, _repr, _len, _type = b.exec, b.compile, b.eval, b.isinstance, b.str, b.repr, b.len, b.type
    _dumps, _fmt, _TextIOWrapper, _BytesIO = json.dumps, traceback.format_exception, io.TextIOWrapper, io.BytesIO
    _BaseException, _SystemExit, _KeyboardInterrupt, _MemoryError, _RecursionError = b.BaseException, b.SystemExit, b.KeyboardInterrupt, b.MemoryError, b.RecursionError
    _sys, _builtins, _ModuleType = sys, builtins, types.ModuleType
    # Locals, so that a program rebinding builtins or os.path cannot change what the hook sees.
    any, int, str, bytes, PermissionError, ImportError, frozenset = builtins.any, builtins.int, builtins.str, builtins.bytes, builtins.PermissionError, builtins.ImportError, builtins.frozenset
    SyntaxError, ValueError, OverflowError = builtins.SyntaxError, builtins.ValueError, builtins.OverflowError
    _abspath, _fsdecode = os.path.abspath, os.fsdecode
    armed = [False]
    BLOCKED_MODULES = ('js', 'pyodide_js', 'pyodide', '_pyodide', '_pyodide_core', 'micropip', 'ctypes', '_ctypes', 'cffi', '_cffi_backend', 'pyodide_http', 'pyodide_kernel', '_multiprocessing', 'multiprocessing', '_posixsubprocess')
    BLOCKED_EVENTS = frozenset(('os.system', 'os.exec', 'os.posix_spawn', 'os.spawn', 'os.fork', 'os.forkpty', 'os.kill', 'os.killpg', 'os.startfile', 'subprocess.Popen', 'pty.spawn', 'socket.__new__', 'socket.connect', 'socket.bind', 'socket.getaddrinfo', 'socket.gethostbyname', 'socket.sendto', 'sys.settrace', 'sys.setprofile', 'sys._getframe', 'sys._current_frames', 'sys._current_exceptions', 'sys._getframemodulename', 'gc.get_objects', 'gc.get_referrers', 'gc.get_referents', 'sys.monitoring.register_callback', 'ctypes.dlopen', 'ctypes.cdata', 'ctypes.addressof', 'webbrowser.open', 'urllib.Request', 'ftplib.connect', 'http.client.connect', 'imaplib.open', 'smtplib.connect', 'telnetlib.Telnet.open', 'poplib.connect', 'nntplib.connect', 'sqlite3.connect', 'sqlite3.load_extension', 'mmap.__new__', 'sys.remote_exec', 'os.chroot', 'shutil.rmtree', 'os.link', 'os.symlink', 'os.chown', 'os.chflags', 'os.lchflags', 'os.lchown', 'os.lockf'))
    WRITE_EVENTS = frozenset(('os.remove', 'os.rename', 'os.rmdir', 'os.mkdir', 'os.chmod', 'os.truncate', 'os.utime', 'os.mkfifo', 'os.mknod'))
    FRAME_ATTRS = frozenset(('tb_frame', 'gi_frame', 'cr_frame', 'ag_frame', 'f_back', 'gi_code', '__code__'))

    def under_tmp(path):
        try:
            p = _abspath(_fsdecode(path))
        except _BaseException:
            return False
        return p == '/tmp' or p.startswith('/tmp/')

    def hook(event, args):
        if not armed[0]:
            return
        if event in BLOCKED_EVENTS:
            raise PermissionError(f'{event} is not allowed in the sandbox')
        if event == 'import':
            name = args[0]
            if _isinstance(name, _str) and name.split('.')[0] in BLOCKED_MODULES:
                raise ImportError(f'import of {name} is not allowed in the sandbox')
        elif event == 'open':
            path, mode, flags = args
            writing = (_isinstance(mode, _str) and any(c in mode for c in 'wax+')) or (_isinstance(flags, int) and flags & 0o3 != 0)
            if writing and _isinstance(path, (str, bytes)) and not under_tmp(path):
                raise PermissionError(f'writing {path!r} is not allowed in the sandbox (only under /tmp)')
        elif event in WRITE_EVENTS:
            for a in args[:2]:
                if _isinstance(a, (str, bytes)) and not under_tmp(a):
                    raise PermissionError(f'{event} on {a!r} is not allowed in the sandbox (only under /tmp)')
        elif event == 'object.__getattr__':
            if args[1] in FRAME_ATTRS and args[1] != '__code__':
                raise PermissionError(f'{event} {args[1]} is not allowed in the sandbox')
        elif event == 'object.__setattr__' or event == 'object.__delattr__':
            if args[1] in FRAME_ATTRS:
                raise PermissionError(f'{event} {args[1]} is not allowed in the sandbox')
        elif event.startswith('ctypes.') or event.startswith('socket.') or event.startswith('os.exec') or event.startswith('os.spawn') or event.startswith('os.posix_spawn'):
            raise PermissionError(f'{event} is not allowed in the sandbox')

    state = {'program': None, 'limit': 1000}
    pristine = dict(builtins.__dict__)
    _dict = b.dict
    shim = _compile(__PYTEST_SHIM__, 'pytest', 'exec', dont_inherit=True)

    TracebackType = types.TracebackType

    # Assertions in the tests compare with the values' own types: a single comparison inside an
    # assert (x == y, x != y, x < y, x in y, ...) where one operand's class (in its MRO) defines a
    # comparison in Python and the operands' types differ fails instead of trusting that method
    # (an object whose __eq__ always returns True cannot pass assert candidate(x) == y).
    OPS = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt,
           ast.GtE: operator.ge, ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
           ast.Is: operator.is_, ast.IsNot: operator.is_not}
    OP_NAMES = {k.__name__: v for k, v in OPS.items()}
    DUNDERS = ('__eq__', '__ne__', '__lt__', '__le__', '__gt__', '__ge__', '__contains__', '__bool__', '__len__', '__iter__')
    NATIVE = (types.WrapperDescriptorType, types.MethodDescriptorType, types.BuiltinFunctionType, types.MethodWrapperType, _type(None))
    _mro = type.__dict__['__mro__'].__get__
    _tdict = type.__dict__['__dict__'].__get__
    FunctionType = types.FunctionType
    _code = types.FunctionType.__dict__['__code__'].__get__
    AssertionError_ = b.AssertionError

    def overrides(x):
        for klass in _mro(_type(x)):
            d = _tdict(klass)
            for name in DUNDERS:
                f = d.get(name)
                if f is None or _isinstance(f, NATIVE):
                    continue
                # Standard-library classes (Counter, Fraction, ...) define comparisons in Python too.
                if _type(f) is FunctionType and not _code(f).co_filename.startswith('<'):
                    continue
                return True
        return False

    def compare(op, a, c):
        if op not in ('Is', 'IsNot') and _type(a) is not _type(c) and (overrides(a) or overrides(c)):
            raise AssertionError_(f'{_type(a).__name__} compared with {_type(c).__name__}: a comparison defined by the program is not trusted')
        return OP_NAMES[op](a, c)

    class Guard(ast.NodeTransformer):
        def visit_Assert(self, node):
            node.test = self.guard(node.test)
            return self.generic_visit(node)
        def guard(self, e):
            if _isinstance(e, ast.Compare) and _len(e.ops) == 1:
                return ast.copy_location(ast.Call(ast.Name('__grpo_compare__', ast.Load()), [ast.Constant(_type(e.ops[0]).__name__), e.left, e.comparators[0]], []), e)
            if _isinstance(e, ast.BoolOp):
                e.values = [self.guard(v) for v in e.values]
            elif _isinstance(e, ast.UnaryOp) and _isinstance(e.op, ast.Not):
                e.operand = self.guard(e.operand)
            return e

    def compile_tests(code):
        tree = ast.parse(code, '<tests>', 'exec')
        tree = ast.fix_missing_locations(Guard().visit(tree))
        return _compile(tree, '<tests>', 'exec', dont_inherit=True)
    sources = {}

    def describe(e, cut):
        name = _type(e).__name__
        try:
            message = _str(e)
        except _BaseException:
            message = '<unprintable>'
        # Walk the traceback by hand (C attributes only, no program code runs while the hook
        # lets frames through), keeping the program's frames.
        lines = []
        try:
            tb = e.__traceback__
        except _BaseException:
            tb = None
        armed[0] = False
        try:
            n = 0
            while _type(tb) is TracebackType and n < 500:
                code = tb.tb_frame.f_code
                lines.append((code.co_filename, tb.tb_lineno, code.co_name))
                tb = tb.tb_next
                n += 1
        except _BaseException:
            pass
        finally:
            armed[0] = True
        out = []
        for filename, lineno, fn in lines:
            if filename == '<grpo-harness>':
                continue
            out.append(f'  File "{filename}", line {lineno}, in {fn}')
            src = sources.get(filename)
            if src is not None and 0 < lineno <= _len(src):
                out.append('    ' + src[lineno - 1].strip())
        if _isinstance(e, SyntaxError) and _type(e.lineno) is int:
            out.append(f'  File "{e.filename}", line {e.lineno}')
            if _type(e.text) is _str:
                out.append('    ' + e.text.strip())
        out.append(f'{name}: {message}' if message else name)
        return {'name': name, 'message': message[:4000], 'traceback': '\n'.join(out[-cut:])[-4000:]}

    def begin(code, recursion_limit):
        # Called once per program; everything after this is graded code.
        _sys.setrecursionlimit(recursion_limit)
        state['limit'] = recursion_limit
        # The bridge modules leave sys.modules (the interpreter's memory is restored after the job),
        # so that importing them goes through the hook.
        for name in [n for n in _sys.modules if n.split('.')[0] in BLOCKED_MODULES]:
            del _sys.modules[name]
        # importlib.import_module skips the 'import' audit event: drop pyodide's JS finder and its
        # packages from the zip importer's directory cache too (a speed bump, see the README).
        _sys.meta_path[:] = [f for f in _sys.meta_path if not _type(f).__module__.startswith('_pyodide')]
        try:
            import zipimport
            for entries in zipimport._zip_directory_cache.values():
                for key in [k for k in entries if k.replace('\\', '/').split('/')[0] in BLOCKED_MODULES]:
                    del entries[key]
        except _BaseException:
            pass
        armed[0] = True
        sources['<solution>'] = code.splitlines()
        try:
            state['program'] = _compile(code, '<solution>', 'exec', dont_inherit=True)
        except (SyntaxError, ValueError, OverflowError, _MemoryError, _RecursionError) as e:
            return _dumps({'ok': False, 'error': describe(e, 3)})
        return _dumps({'ok': True})

    def run_test(stdin, test_code, expr):
        out = {'completed': False}
        _sys.setrecursionlimit(state['limit'])
        _sys.stdin = _TextIOWrapper(_BytesIO(stdin.encode('utf-8', 'surrogatepass')), encoding='utf-8')
        _sys.stdout = _sys.__stdout__
        _sys.stderr = _sys.__stderr__
        # The program's namespace is also importable as "solution" (KodCode: from solution import f).
        mod = _ModuleType('__main__')
        g = mod.__dict__
        g['__builtins__'] = _builtins
        _sys.modules['solution'] = mod
        try:
            tests = None
            if test_code:
                sources['<tests>'] = test_code.splitlines()
                try:
                    tests = compile_tests(test_code)
                except SyntaxError as e:
                    out['test_error'] = describe(e, 3)
                    return _dumps(out)
            _exec(state['program'], g)
            # The tests see the interpreter's own builtins and a fresh pytest, whatever the program rebound.
            g['__builtins__'] = _dict(pristine)
            g['__grpo_compare__'] = compare
            if test_code and 'pytest' in test_code:
                pt = _ModuleType('pytest')
                pt.__dict__['__builtins__'] = _dict(pristine)
                _exec(shim, pt.__dict__)
                _sys.modules['pytest'] = pt
            if tests is not None:
                _exec(tests, g)
            if expr:
                v = _eval(_compile(expr, '<call>', 'eval', dont_inherit=True), g)
                out['value'] = _dumps(v, allow_nan=True)
            out['completed'] = True
        except _SystemExit as e:
            c = e.code
            out['exit'] = 0 if c is None else (c if _isinstance(c, int) and not _isinstance(c, bool) else 1)
            if not (c is None or _isinstance(c, int)):
                try:
                    _sys.__stderr__.write(_str(c) + '\n')
                except _BaseException:
                    pass
        except _BaseException as e:
            out['error'] = describe(e, 6)
        for f in (_sys.__stdout__, _sys.__stderr__):
            try:
                f.flush()
            except _BaseException:
                pass
        return _dumps(out)

    sys.addaudithook(hook)
    return begin, run_test



_grpo_begin, _grpo_run_test = _grpo_make()
del _grpo_make
`.replace('__PYTEST_SHIM__', () => JSON.stringify(PYTEST_SHIM));
