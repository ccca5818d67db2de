-- bench/memory_sample.sql: one memory sample, in a fresh backend: the peak
-- resident set (VmHWM) one call of contender :who adds on the stored
-- document of operation :op and size :size, round :r.  The runner (root)
-- resets the peak through /proc with \!; :toast is bench.mem_case's TOAST
-- table, read once so that the call finds it in shared buffers.
SELECT pg_backend_pid() AS pid \gset
\setenv BENCH_PID :pid
SELECT count(*) FROM bench.mem_case \g /dev/null
SELECT sum(length(chunk_data)) FROM :toast \g /dev/null
SELECT bench.mem_query(:'op', :'who', 'tiny') AS warm,
	bench.mem_query(:'op', :'who', :'size') AS measured \gset
:warm \g /dev/null
\! echo 5 > /proc/$BENCH_PID/clear_refs
SELECT bench.vm_kb('VmHWM') AS before \gset
:measured \g /dev/null
INSERT INTO bench.memory_sample
SELECT :'size', :'op', :'who', :r, bench.vm_kb('VmHWM') - :before,
	(SELECT pg_column_size(bench.detoast_copy(d)) FROM bench.mem_case WHERE size = :'size' AND op = :'op');
