;redcode-94
;name Imp
;author redqueen (after A. K. Dewdney's Imp, 1984)
;strategy The smallest warrior: each cycle it copies itself one cell ahead
;strategy and then executes the copy, crawling through core forever.
;assert CORESIZE >= 2
        mov.i   $0, $1
        end
