;redcode-94
;name Lone Imp
;author redqueen
;strategy Imp: one instruction that copies itself to the next cell and runs on into the copy.
;strategy Almost impossible to kill, almost never kills: it ties stones and loses to clears.
;assert CORESIZE == 8000
        org     imp
imp     mov.i   #0, 1
        end
