;redcode-94
;name Paper Lantern
;author redqueen
;strategy Replicator (paper): copies its ten cells to a new place, starts the copy
;strategy with SPL, shifts the distance and copies again. Copies multiply faster
;strategy than a stone can erase them; it rarely kills, so it ties many.
;assert CORESIZE == 8000
hop     equ     2903                    ; distance to the first copy
shift   equ     1471                    ; added to the distance after each copy
size    equ     (last-from+1)
        org     start
from    dat.f   #0, #0                  ; A: next cell to copy, B: where it goes (both from here)
count   dat.f   #0, #0
start   mov.ab  #hop, from              ; this A-field is the current distance (SPL *start reads it)
        mov.a   #0, from
        mov.ab  #size, count
copy    mov.i   }from, >from
        djn.b   copy, count
        spl     *start                  ; run the copy of `start`, `distance` cells ahead
        add.a   #shift, start
last    jmp     start
        end
