// Loaded into the hook with NODE_OPTIONS=--require: at exit, saves /proc/self/io, /proc/self/status
// and /proc/self/stat to $BENCH_IO_FILE. io's wchar counts every byte the process wrote (write,
// sendfile, copy_file_range), children it waited for (qemu-img) included; status's VmHWM is the hook's
// own peak resident set (not its children's); stat's utime, stime, cutime, cstime its CPU time and
// its waited-for children's. Plain JavaScript for Node 10.
'use strict';
var fs = require('fs');
process.on('exit', function () {
  if (process.env.BENCH_IO_FILE) fs.writeFileSync(process.env.BENCH_IO_FILE, fs.readFileSync('/proc/self/io', 'utf8') + fs.readFileSync('/proc/self/status', 'utf8') + 'stat: ' + fs.readFileSync('/proc/self/stat', 'utf8'));
});
