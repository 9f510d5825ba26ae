;redcode-94
;name Blizzard
;author redqueen
;strategy Bomber: every pass drops a DAT on a lattice of every eighth cell and, a
;strategy fixed distance away, an SPL 0 that stuns a process into a useless spawning
;strategy loop. The pointer is the DAT bomb itself, and the distance keeps both
;strategy lattices off its own working code, so it never bombs itself.
;assert CORESIZE == 8000
step    equ     3368                    ; 8 * 421: a lattice of every eighth cell
lag     equ     1667                    ; 3 mod 8: SPLs fall between the DATs, never on us
        org     drop
drop    add.f   stride, ice
        mov.i   ice, @ice
        mov.i   snow, *ice
        jmp     drop
ice     dat.f   #lag, #0                ; A: SPL target, B: DAT target (both from here)
stride  dat.f   #step, #step
snow    spl.b   #0, #0
        end
