;redcode-94
;name Seeker
;author redqueen
;strategy B-scanner: looks at every seventh cell for one whose fields are not both
;strategy zero, and drops an SPL 0 on each find to stun what runs there. When the
;strategy look-up count runs out (just before it would see itself) it switches to a
;strategy DAT clear of the whole core, which finishes the stunned processes.
;assert CORESIZE == 8000
step    equ     7
looks   equ     1135                    ; 7 * 1135 = 7945: stops short of its own code
size    equ     (last-where+1)
        org     seek
where   dat.f   #0, #(size-step)        ; the first look falls just past our code
seek    add.ab  #step, where
        jmz.f   next, @where
        mov.i   trap, @where
next    djn.b   seek, #looks
        mov.ab  #size, where
clear   mov.i   kill, >where
        djn.b   clear, #(CORESIZE-size)
idle    jmp     idle
trap    spl.b   #0, #0
last
kill    dat.f   #0, #0
        end
