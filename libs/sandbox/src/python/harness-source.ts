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
export const HARNESS_SOURCE = String.raw`
def _grpo_make():
    import sys, io, json, builtins, traceback, linecache, types, os, posix, math, re, collections
    import itertools, functools, heapq, bisect, string, random, decimal, fractions, statistics
    import typing, dataclasses, copy, operator, array, enum, abc, unittest, time, datetime
    b = builtins
    _exec, _compile, _eval, _isinstance, _str, _repr, _len, _type = b.exec, b.compile, b.eval, b.isinstance, b.str, b.repr, b.len, b.type
    _dumps, _fmt, _TextIOWrapper, _BytesIO = json.dumps, traceback.format_exception, io.TextIOWrapper, io.BytesIO
    _BaseException, _SystemExit, _KeyboardInterrupt, _MemoryError, _RecursionError = b.BaseException, b.SystemExit, b.KeyboardInterrupt, b.MemoryError, b.RecursionError
    _sys, _builtins = sys, builtins
    # Locals, so that a program rebinding builtins or os.path cannot change what the hook sees.
    any, int, str, bytes, PermissionError, ImportError, frozenset = builtins.any, builtins.int, builtins.str, builtins.bytes, builtins.PermissionError, builtins.ImportError, builtins.frozenset
    SyntaxError, ValueError, OverflowError = builtins.SyntaxError, builtins.ValueError, builtins.OverflowError
    _abspath, _fsdecode = os.path.abspath, os.fsdecode
    armed = [False]
    BLOCKED_MODULES = ('js', 'pyodide_js', 'pyodide', '_pyodide', '_pyodide_core', 'micropip', 'ctypes', '_ctypes', 'cffi', '_cffi_backend', 'pyodide_http', 'pyodide_kernel', '_multiprocessing', 'multiprocessing', '_posixsubprocess')
    BLOCKED_EVENTS = frozenset(('os.system', 'os.exec', 'os.posix_spawn', 'os.spawn', 'os.fork', 'os.forkpty', 'os.kill', 'os.killpg', 'os.startfile', 'subprocess.Popen', 'pty.spawn', 'socket.__new__', 'socket.connect', 'socket.bind', 'socket.getaddrinfo', 'socket.gethostbyname', 'socket.sendto', 'sys.settrace', 'sys.setprofile', 'sys._getframe', 'sys._current_frames', 'sys._current_exceptions', 'sys._getframemodulename', 'gc.get_objects', 'gc.get_referrers', 'gc.get_referents', 'sys.monitoring.register_callback', 'ctypes.dlopen', 'ctypes.cdata', 'ctypes.addressof', 'webbrowser.open', 'urllib.Request', 'ftplib.connect', 'http.client.connect', 'imaplib.open', 'smtplib.connect', 'telnetlib.Telnet.open', 'poplib.connect', 'nntplib.connect', 'sqlite3.connect', 'sqlite3.load_extension', 'os.putenv', 'os.unsetenv', 'mmap.__new__', 'sys.remote_exec', 'os.chroot', 'shutil.rmtree', 'os.link', 'os.symlink', 'os.chown', 'os.chflags', 'os.lchflags', 'os.lchown', 'os.lockf'))
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
        elif event == 'object.__getattr__' or event == 'object.__setattr__' or event == 'object.__delattr__':
            if args[1] in FRAME_ATTRS:
                raise PermissionError(f'{event} {args[1]} is not allowed in the sandbox')
        elif event.startswith('ctypes.') or event.startswith('socket.') or event.startswith('os.exec') or event.startswith('os.spawn') or event.startswith('os.posix_spawn'):
            raise PermissionError(f'{event} is not allowed in the sandbox')

    state = {'program': None, 'limit': 1000}

    TracebackType = types.TracebackType
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
        g = {'__name__': '__main__', '__builtins__': _builtins, '__doc__': None}
        try:
            tests = None
            if test_code:
                sources['<tests>'] = test_code.splitlines()
                try:
                    tests = _compile(test_code, '<tests>', 'exec', dont_inherit=True)
                except SyntaxError as e:
                    out['test_error'] = describe(e, 3)
                    return _dumps(out)
            _exec(state['program'], g)
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
`;
