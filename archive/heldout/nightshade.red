;redcode-94
;name Nightshade
;author redqueen
;strategy Vampire: instead of DAT it drops JMP fangs whose A-field is corrected at
;strategy every step so that each fang, wherever it lands, leads into a pit in its
;strategy own code. Enemy processes that run a fang are trapped in the pit's SPL loop
;strategy and burn the enemy's turns. After enough bites a DAT clear sweeps the core
;strategy and the pit is finally filled with DAT, killing the prisoners.
;assert CORESIZE == 8000
step    equ     2376
bites   equ     700
size    equ     (last-first+1)
        org     bite
first
bite    add.f   shift, fang             ; fang.A -= step (keeps pointing at pit), fang.B += step
        mov.i   fang, @fang
        djn.b   bite, #bites
sweep   mov.i   dat0, >ptr
        djn.b   sweep, #(CORESIZE-size)
        mov.i   dat0, pit               ; close the pit
idle    jmp     idle
fang    jmp     pit-fang, #0
shift   dat.f   #-step, #step
ptr     dat.f   #0, #(last-ptr+1)
pit     spl.b   #0, #0                  ; prisoners loop here
        jmp     pit
last
dat0    dat.f   #0, #0
        end
