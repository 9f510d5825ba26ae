;redcode-94
;name Broom
;author redqueen
;strategy Core clear: sweeps every cell but its own twice, first with SPL 0 so that
;strategy whatever runs there is stunned into spawning useless processes, then with
;strategy DAT to kill them all. It never scans; it simply gets everywhere.
;assert CORESIZE == 8000
size    equ     (last-sweep+1)
        org     stun
sweep   dat.f   #0, #size               ; B: next cell to clear, counted from here
stun    mov.i   spl0, >sweep
        djn.b   stun, #(CORESIZE-size)
        mov.ab  #size, sweep
kill    mov.i   dat0, >sweep
        djn.b   kill, #(CORESIZE-size)
idle    jmp     idle                    ; done: the core holds nothing but us
spl0    spl.b   #0, #0
last
dat0    dat.f   #0, #0
        end
