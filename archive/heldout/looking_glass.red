;redcode-94
;name Looking Glass
;author redqueen
;strategy Scanner: compares two cells five apart, stepping 10 cells each time; when
;strategy they differ something lives there, and both cells are bombed with SPL 0 then
;strategy scanning resumes. Before the scan reaches its own code it turns into a
;strategy two-pass core clear (SPL then DAT) that finishes whatever it stunned.
;assert CORESIZE == 8000
step    equ     10
span    equ     5
scans   equ     785                     ; stops short of its own code
        org     scan
scan    add.f   stride, probe
probe   sne.i   step+20, step+20+span
        djn.b   scan, #scans
        jmz.b   clear, scan+2           ; the counter ran out: clear the core
        mov.i   stun, @probe
        mov.i   stun, *probe
        jmp     scan
stride  dat.f   #step, #step
stun    spl.b   #0, #0
kill    dat.f   #0, #0
sweep   dat.f   #0, #(last-sweep+1)
clear   mov.i   stun, >sweep
        djn.b   clear, #(CORESIZE-(last-scan+1))
        mov.ab  #(last-sweep+1), sweep
finish  mov.i   kill, >sweep
        djn.b   finish, #(CORESIZE-(last-scan+1))
last    jmp     0
        end
