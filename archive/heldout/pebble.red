;redcode-94
;name Pebble
;author redqueen
;strategy Stone: drops a DAT every 3044 cells (a multiple of 4, so the bombs
;strategy fall on a regular lattice) until every fourth cell of the core is hit.
;strategy Three instructions and a bomb: small, fast and hard to find.
;assert CORESIZE == 8000
gap     equ     3044
        org     throw
throw   add.ab  #gap, stone
        mov.i   stone, @stone
        jmp     throw
stone   dat.f   #0, #0
        end
