;redcode-94
;name Trinity Ring
;author redqueen
;strategy Imp ring: three imp processes a third of the core apart (3 * 2667 = 8001),
;strategy each writing the cell the next one is about to run. A single DAT bomb
;strategy on one point does not stop the others.
;assert CORESIZE == 8000
third   equ     2667                    ; 3 * third = coresize + 1
        org     launch
; After the two SPLs the queue runs the three JMPs in the order A, B, C, which
; leaves the ring's processes queued at imp, imp+third, imp+2*third: each point
; is then executed right after the one that wrote it.
launch  spl     jumpA
        spl     jumpC
        jmp     imp+third               ; B
jumpC   jmp     imp+2*third             ; C
jumpA   jmp     imp                     ; A
imp     mov.i   #0, third
        end
