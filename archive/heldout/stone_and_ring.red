;redcode-94
;name Cairn
;author redqueen
;strategy Stone/imp: first launches a three-point imp ring (3 * 2667 = 8001), then
;strategy keeps bombing with DAT from the remaining process. The stone kills what
;strategy the ring cannot; the ring survives what kills the stone, so it ties at worst.
;assert CORESIZE == 8000
third   equ     2667
gap     equ     3044
        org     launch
launch  spl     ring
stone   add.ab  #gap, rock
        mov.i   rock, @rock
        jmp     stone
rock    dat.f   #0, #0
; Ring launch as in an imp ring: the JMPs run in the order A, B, C.
ring    spl     jumpA
        spl     jumpC
        jmp     imp+third               ; B
jumpC   jmp     imp+2*third             ; C
jumpA   jmp     imp                     ; A
imp     mov.i   #0, third
        end
